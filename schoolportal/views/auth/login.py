"""Logging in and out."""

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from markupsafe import Markup

from schoolportal import authz
from schoolportal.account.forms import LanguageForm
from schoolportal.auth import passwords, second_factor
from schoolportal.auth import service as auth_service
from schoolportal.auth.forms import LoginForm
from schoolportal.core import sessions, throttle
from schoolportal.core.i18n import remember_choice
from schoolportal.core.models import User
from schoolportal.core.rendering import render_page
from schoolportal.views.auth import bp


@bp.get("/login")
@authz.public
def login():
    """Show the login form (or go home when already logged in)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return _login_page(LoginForm())


@bp.post("/login")
@authz.public
def login_submit():
    """Check the credentials, throttle repeated failures, start a fresh session."""
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, status=422)
    email, ip = form.email.data, throttle.client_ip()
    if throttle.is_throttled(email, ip):
        minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
        form.form_errors.append(_(
            "Too many failed attempts. Wait %(minutes)d minutes and try again, "
            "or ask the school office for help.", minutes=minutes))
        return _login_page(form, status=429)
    user = User.by_email(email)
    hash_ = user.password_hash if user is not None and user.active else None
    if not passwords.verify_password(hash_, form.password.data):
        throttle.record_failure(email, ip)
        # The same answer for an unknown address and a wrong password.
        form.form_errors.append(_("This email address and password do not match."))
        return _login_page(form, status=422)
    next_url = authz.safe_next_url(request.args.get("next"))
    if auth_service.needs_second_step(user):
        auth_service.start_second_step(user, next_url)
        return redirect(url_for("auth.second_step"))
    return after_login(auth_service.log_in(user, form.password.data), next_url)


@bp.post("/logout")
@authz.signed_in
def logout():
    """End the session on the server and in the browser."""
    sessions.end(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("auth.login"))
    # Whoever picks up the phone next finds nothing: no cached page or photo, no stored data
    # (this also removes the service worker; the next page installs a fresh, empty one).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/language")
@authz.public
def choose_language():
    """Remember the language a visitor picked on the login page."""
    form = LanguageForm()
    if form.validate_on_submit():
        remember_choice(form.language.data)
    return redirect(url_for("auth.login"))


def after_login(state, next_url):
    """Where a fresh login goes: where it was going, with a reminder for staff (see README)."""
    target = next_url or url_for("home.index")
    if state == second_factor.ASK:
        due = second_factor.status_of(current_user).due_at
        # Our own (translated) text with a date and our own URL in it: safe as markup.
        flash(Markup(_(  # noqa: S704
            "Protect your account with a second step when you log in: from %(day)s it is "
            "required. <a href=\"%(url)s\">Set it up now</a>.",
            day=format_date(due, "long") if due else "",
            url=url_for("account.second_factor_page"))), "warning")
    elif state == second_factor.REQUIRED:
        target = url_for("account.second_factor_page")
    return redirect(target)


def _login_page(form, status=200):
    """The login page, with the language switch."""
    language_form = LanguageForm(formdata=None)
    return render_page(
        "auth/login.html", "partials/auth/login_form.html", status=status,
        form=form, language_form=language_form, next_url=authz.safe_next_url(
            request.args.get("next")),
    )
