"""A user's own profile: name, language, mail choice, photo and password."""

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from schoolportal import authz
from schoolportal.account import policy, profile_photos
from schoolportal.account.forms import PasswordForm, PhotoForm, RemovePhotoForm, SettingsForm
from schoolportal.auth import passkeys, passwords
from schoolportal.core import images, outbox, sessions, throttle
from schoolportal.core.database import write_transaction
from schoolportal.core.models import School, User, utcnow
from schoolportal.core.rendering import render_page
from schoolportal.views.account import bp

PHOTO_MAX_AGE = 3600


@bp.get("/account")
@authz.signed_in
def settings():
    """Show the profile: how others see you, settings, photo."""
    return _profile_page(SettingsForm(obj=current_user))


@bp.post("/account")
@authz.signed_in
def settings_submit():
    """Save name and language; the new language applies at once."""
    form = SettingsForm()
    if not form.validate_on_submit():
        return _profile_page(form, status=422)
    changes = {User.display_name: form.display_name.data.strip(), User.language: form.language.data}
    User.update(changes).where(User.id == current_user.id).execute()
    with force_locale(form.language.data):
        flash(_("Your settings have been saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/account/photo")
@authz.signed_in
def photo_submit():
    """Replace the profile photo with an upload, judged by its content."""
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            profile_photos.store(current_user, form.photo.data.stream)
        except images.ImageRejected as rejected:
            form.photo.errors.append(rejected.message)
        else:
            flash(_("Your photo has been saved."), "success")
            return redirect(url_for("account.settings"))
    return _profile_page(photo_form=form, status=422, fragment="partials/account/photo.html")


@bp.post("/account/photo/remove")
@authz.signed_in
def photo_remove():
    """Take the profile photo away and delete its files."""
    form = RemovePhotoForm()
    if not form.validate_on_submit():
        abort(400)
    if profile_photos.remove(current_user):
        flash(_("Your photo has been removed."), "success")
    return redirect(url_for("account.settings"))


@bp.get("/account/photos/<int:user_id>/<int:size>")
@authz.signed_in
def photo(user_id, size):
    """One size of someone's profile photo, for those who may see it; 404 otherwise."""
    owner = User.get_or_none(User.id == user_id)
    path = profile_photos.path_of(owner.photo, size) if owner is not None else None
    if path is None or not policy.may_see_photo_of(current_user, owner) or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=PHOTO_MAX_AGE, conditional=True)
    # Only the viewer's own browser may keep it: who sees a parent's photo is restricted.
    response.headers["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/account/password")
@authz.signed_in
def password():
    """Show the form to change the password."""
    return _password_page(PasswordForm())


@bp.post("/account/password")
@authz.signed_in
def password_submit():
    """Check the current password (throttled), store the new one, end the other sessions."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, status=422)
    email, ip = current_user.email, throttle.client_ip()
    if throttle.is_throttled(email, ip):
        form.form_errors.append(_(
            "Too many failed attempts. Wait %(minutes)d minutes and try again, "
            "or ask the school office for help.",
            minutes=current_app.config["LOGIN_THROTTLE_MINUTES"]))
        return _password_page(form, status=429)
    if not passwords.verify_password(current_user.password_hash, form.current_password.data):
        throttle.record_failure(email, ip)
        form.current_password.errors.append(_("This is not your current password."))
        return _password_page(form, status=422)
    _change_password(current_user, passwords.hash_password(form.new_password.data))
    flash(_("Your password has been changed. You are logged out on your other devices."),
          "success")
    return redirect(url_for("account.settings"))


def _change_password(user, new_hash):
    """Store the hash, end the other sessions and mail a notice, all in one transaction."""
    with write_transaction():
        User.update(password_hash=new_hash).where(User.id == user.id).execute()
        sessions.end_others(user, user.session_key)
        throttle.clear_failures(user.email)
        outbox.send(
            user, "account/password_changed", _l("Your password has been changed"),
            school=School.current(), changed_at=utcnow(),
            login_url=outbox.absolute_url("auth.login"),
        )


def _profile_page(form=None, photo_form=None, status=200,
                  fragment="partials/account/settings_form.html"):
    """The profile page (or one of its fragments) with every form it holds."""
    return render_page(
        "account/settings.html", fragment, status=status,
        form=form or SettingsForm(obj=current_user),
        photo_form=photo_form or PhotoForm(formdata=None),
        remove_form=RemovePhotoForm(formdata=None),
        photo_sizes=profile_photos.SIZES, passkeys=list(passkeys.of(current_user)),
    )


def _password_page(form, status=200):
    """The password page, or its form for htmx."""
    return render_page(
        "account/password.html", "partials/account/password_form.html", status=status, form=form)
