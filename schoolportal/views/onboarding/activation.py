"""Becoming a user: activating an invitation, and choosing a new password when it is forgotten.

Every page here is public, and none tells whether an address has an account: a link that
no longer works gets the same page whatever the reason, and the forgotten-password form
always gives the same answer. Links carry 256 random bits, so guessing them needs no
throttle of its own (see password_reset). Tokens are taken as paths, so a link a mail
program mangled ("/activate/abc/", "/activate/a/b") still gets the clear page.
"""

import time

from flask import current_app, flash, redirect, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from schoolportal import authz
from schoolportal.auth import service as auth_service
from schoolportal.core import throttle
from schoolportal.core.models import Group, Pupil
from schoolportal.core.rendering import render_page
from schoolportal.invitations import service as invitations_service
from schoolportal.onboarding import password_reset
from schoolportal.onboarding.forms import ActivationForm, ForgotPasswordForm, NewPasswordForm
from schoolportal.views.auth.login import after_login
from schoolportal.views.onboarding import bp

# A known address costs more work than an unknown one (a mail is rendered and stored), about
# 10 ms; answering no sooner than this keeps the response time from telling which is which.
ANSWER_AFTER_SECONDS = 0.3


@bp.get("/activate/<path:token>")
@authz.public
def activate(token):
    """The form to activate an invited account: name, password and language."""
    invitation = invitations_service.find_usable(token)
    if invitation is None:
        return _bad_link("activation")
    user = invitation.user
    form = ActivationForm(account_email=user.email, display_name=_suggested_name(user),
                          language=str(get_locale()))
    return _activation_page(form, invitation, token)


@bp.post("/activate/<path:token>")
@authz.public
def activate_submit(token):
    """Use the invitation once, then log the new user in and show their child's group."""
    invitation = invitations_service.find_usable(token)
    if invitation is None:
        return _bad_link("activation")
    form = ActivationForm(account_email=invitation.user.email)
    if not form.validate_on_submit():
        return _activation_page(form, invitation, token, status=422)
    user = invitations_service.activate(token, form.display_name.data, form.password.data,
                                form.language.data)
    if user is None:  # used or withdrawn between showing the form and sending it
        return _bad_link("activation")
    state = auth_service.log_in(user, form.password.data)
    with force_locale(user.language):
        flash(_("Welcome, %(name)s! Your account is active.", name=user.display_name),
              "success")
        return after_login(state, _landing_url(user, invitation))  # staff: the second step


@bp.get("/password/forgot")
@authz.public
def forgot_password():
    """Ask for the address to send a link for a new password to."""
    return _forgot_page(ForgotPasswordForm())


@bp.post("/password/forgot")
@authz.public
def forgot_password_submit():
    """Send a link when the address has an account; answer the same either way."""
    started = time.monotonic()
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return _forgot_page(form, status=422)
    try:
        password_reset.request_link(form.email.data, throttle.client_ip())
    except password_reset.TooManyRequests:
        form.form_errors.append(_(
            "Too many requests from your network. Wait an hour and try again, "
            "or ask the school office for help."))
        return _forgot_page(form, status=429)
    flash(_("If %(email)s belongs to an activated account, we have sent a link to choose a "
            "new password. It works for one hour. No mail after a few minutes? Look in your "
            "spam folder, or ask the school office.", email=form.email.data.strip()), "info")
    _wait_until(started + current_app.config.get("PASSWORD_RESET_ANSWER_SECONDS",
                                                  ANSWER_AFTER_SECONDS))
    return redirect(url_for("auth.login"))


@bp.get("/password/reset/<path:token>")
@authz.public
def reset_password(token):
    """The form to choose a new password, opened from the link in the mail."""
    reset = password_reset.find_usable(token)
    if reset is None:
        return _bad_link("reset")
    return _reset_page(NewPasswordForm(account_email=reset.user.email), token)


@bp.post("/password/reset/<path:token>")
@authz.public
def reset_password_submit(token):
    """Set the new password once, end every session of the account, and go to login."""
    reset = password_reset.find_usable(token)
    if reset is None:
        return _bad_link("reset")
    form = NewPasswordForm(account_email=reset.user.email)
    if not form.validate_on_submit():
        return _reset_page(form, token, status=422)
    if password_reset.reset_password(token, form.password.data) is None:
        return _bad_link("reset")
    if current_user.is_authenticated:  # its session has just ended on the server
        logout_user()
        session.clear()
    flash(_("Your password has been changed. Log in with your new password."), "success")
    return redirect(url_for("auth.login"))


def _activation_page(form, invitation, token, status=200):
    """The activation form for this invitation."""
    return render_page("onboarding/activate.html", status=status, form=form,
                       invitation=invitation, token=token)


def _forgot_page(form, status=200):
    """The forgotten-password form."""
    return render_page("onboarding/forgot_password.html", status=status, form=form)


def _reset_page(form, token, status=200):
    """The new-password form for this link."""
    return render_page("onboarding/reset_password.html", status=status, form=form, token=token)


def _bad_link(kind):
    """One clear page for every link that does not work (used, expired, withdrawn, made up)."""
    return render_page("onboarding/bad_link.html", status=404, kind=kind,
                       days=invitations_service.INVITATION_DAYS)


def _wait_until(moment):
    """Sleep until a moment on the monotonic clock (at once when it has passed)."""
    time.sleep(max(0.0, moment - time.monotonic()))


def _suggested_name(user):
    """The name the school entered, but not the address's local part we made up ourselves."""
    return "" if user.display_name == user.email.split("@")[0] else user.display_name


def _landing_url(user, invitation):
    """The group of the child the invitation was for, when the user may see it; else home."""
    if invitation.pupil_id:
        child_group = Pupil.select(Pupil.group).where(Pupil.id == invitation.pupil_id)
        group = authz.visible_groups(user).where(Group.id.in_(child_group)).first()
        if group is not None:
            return url_for("spaces.group", group_id=group.id)
    return url_for("home.index")
