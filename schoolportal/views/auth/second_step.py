"""The second step of a staff login: a passkey, a code from the app, or a recovery code.

Also the rule for staff past their grace period: until they have set up a second factor,
their session reaches only the pages that set one up (and logging out).
"""

from flask import abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.auth import passkeys, recovery_codes, second_factor
from schoolportal.auth import service as auth_service
from schoolportal.auth.forms import CodeForm, RecoveryCodeForm
from schoolportal.auth.passkeys import PasskeyRefused
from schoolportal.core import throttle
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views.auth import bp
from schoolportal.views.auth.login import after_login
from schoolportal.views.auth.passkey_login import json_error, json_options, posted_credential

# What a session that must set up a second factor first may still reach.
SETUP_ENDPOINTS = frozenset({
    "static", "auth.logout", "account.second_factor_page", "account.app_start", "account.app",
    "account.app_confirm", "account.passkey_options", "account.passkey_add",
})


@bp.before_app_request
def second_factor_setup_first():
    """Past the grace period, staff without a second factor can only set one up."""
    if session.get(auth_service.SETUP) != second_factor.REQUIRED:
        return None
    if request.endpoint in SETUP_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        session.pop(auth_service.SETUP, None)
        return None
    if request.method == "GET" and not wants_fragment():
        return redirect(url_for("account.second_factor_page"))
    abort(403)


@bp.get("/login/second-factor")
@authz.public
def second_step():
    """Ask for the second factor of the account whose password was just typed."""
    user = auth_service.second_step_user()
    if user is None:
        return redirect(url_for("auth.login"))
    return _page(user)


@bp.post("/login/second-factor")
@authz.public
def second_step_code():
    """Check a code from the authenticator app (throttled; each code works once)."""
    user = auth_service.second_step_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return _page(user, code_form=form, status=422)
    if _throttled(user, form):
        return _page(user, code_form=form, status=429)
    if not second_factor.check_code(user, form.code.data):
        second_factor.record_failure(user, throttle.client_ip())
        form.code.errors.append(_("This code is not right, or it has been used already. "
                                  "Wait for the next code and try again."))
        return _page(user, code_form=form, status=422)
    return _finish(user)


@bp.post("/login/recovery-code")
@authz.public
def second_step_recovery():
    """Check a recovery code (throttled; each code works once)."""
    user = auth_service.second_step_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = RecoveryCodeForm()
    if not form.validate_on_submit():
        return _page(user, recovery_form=form, status=422)
    if _throttled(user, form):
        return _page(user, recovery_form=form, status=429)
    if not recovery_codes.use(user, form.recovery_code.data):
        second_factor.record_failure(user, throttle.client_ip())
        form.recovery_code.errors.append(_("This recovery code is not right, or it has been "
                                           "used already."))
        return _page(user, recovery_form=form, status=422)
    left = second_factor.status_of(user).recovery_left
    response = _finish(user)
    flash(_("You used a recovery code; %(n)d are left. Make new ones under My account if "
            "you are running out, or set up your passkey or app again.", n=left), "warning")
    return response


@bp.post("/login/second-factor/passkey/options")
@authz.public
def second_step_passkey_options():
    """A challenge that only this account's passkeys can answer."""
    user = auth_service.second_step_user()
    if user is None:
        return json_error(_("This page has expired. Log in again."), 401)
    return json_options(passkeys.second_factor_options(user))


@bp.post("/login/second-factor/passkey")
@authz.public
def second_step_passkey():
    """Check the passkey answer for this account and log in; JSON {redirect} or {error}."""
    user = auth_service.second_step_user()
    if user is None:
        return json_error(_("This page has expired. Log in again."), 401)
    try:
        passkeys.authenticate(posted_credential(), "second", user)
    except PasskeyRefused as refused:
        return json_error(refused.message)
    return jsonify(redirect=_finish(user).location)


def _throttled(user, form):
    """True (with the message on the form) when this account must wait before trying again."""
    if not second_factor.is_throttled(user, throttle.client_ip()):
        return False
    form.form_errors.append(_(
        "Too many wrong codes. Wait %(minutes)d minutes and try again, or ask the school "
        "office for help.", minutes=current_app.config["LOGIN_THROTTLE_MINUTES"]))
    return True


def _finish(user):
    """Log in for real and go where the login was going."""
    next_url = auth_service.finish_second_step(user)
    return after_login(second_factor.OK, authz.safe_next_url(next_url))


def _page(user, code_form=None, recovery_form=None, status=200):
    """The second-step page with what this account has set up."""
    return render_page(
        "auth/second_step.html", status=status, account=user,
        status_of=second_factor.status_of(user),
        code_form=code_form or CodeForm(formdata=None),
        recovery_form=recovery_form or RecoveryCodeForm(formdata=None))
