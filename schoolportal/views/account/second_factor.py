"""Staff and admins set up their second factor: a passkey, or an app with recovery codes."""

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.auth import recovery_codes, second_factor
from schoolportal.auth import service as auth_service
from schoolportal.auth.forms import CodeForm, ConfirmForm
from schoolportal.auth.second_factor import SecondFactorError
from schoolportal.core import throttle
from schoolportal.core.rendering import render_page
from schoolportal.views import me
from schoolportal.views.account import bp


@bp.get("/account/second-factor")
@authz.staff_only
def second_factor_page():
    """What protects this account besides the password, and how to add more."""
    return render_page(
        "account/second_factor.html", status_of=second_factor.status_of(current_user),
        required=session.get(auth_service.SETUP) == second_factor.REQUIRED,
        next_url=authz.safe_next_url(request.args.get("next")),
        confirm_form=ConfirmForm(formdata=None))


@bp.post("/account/second-factor/app")
@authz.staff_only
def app_start():
    """Make a new secret for an authenticator app and show it as a QR code."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        second_factor.start_app(me())
    except SecondFactorError as error:
        flash(str(error.message), "error")
        return redirect(url_for("account.second_factor_page"))
    return redirect(url_for("account.app"))


@bp.get("/account/second-factor/app")
@authz.staff_only
def app():
    """The QR code and the secret of the app being set up, and where to type its first code."""
    if second_factor.pending_app(current_user) is None:
        return redirect(url_for("account.second_factor_page"))
    return _app_page(CodeForm(formdata=None))


@bp.post("/account/second-factor/app/confirm")
@authz.staff_only
def app_confirm():
    """A first code proves the app works; then show the recovery codes, once."""
    form = CodeForm()
    if second_factor.pending_app(current_user) is None:
        return redirect(url_for("account.second_factor_page"))
    if not form.validate_on_submit():
        return _app_page(form, status=422)
    ip = throttle.client_ip()
    if second_factor.is_throttled(current_user, ip):
        form.form_errors.append(_(
            "Too many wrong codes. Wait %(minutes)d minutes and try again.",
            minutes=current_app.config["LOGIN_THROTTLE_MINUTES"]))
        return _app_page(form, status=429)
    codes = second_factor.confirm_app(me(), form.code.data)
    if codes is None:
        second_factor.record_failure(current_user, ip)
        form.code.errors.append(_("This code is not right. Check that the app shows the "
                                  "portal's code and try the next one."))
        return _app_page(form, status=422)
    session.pop(auth_service.SETUP, None)
    flash(_("Your authenticator app is set up. From now on you log in with your password "
            "and a code from the app, or with a passkey."), "success")
    return _codes_page(codes)


@bp.post("/account/second-factor/app/remove")
@authz.staff_only
def app_remove():
    """Remove the authenticator app (a passkey or a new app must take its place)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if second_factor.remove_app(me()):
        flash(_("Your authenticator app has been removed."), "success")
    return redirect(url_for("account.second_factor_page"))


@bp.post("/account/second-factor/recovery-codes")
@authz.staff_only
def new_recovery_codes():
    """Ten new recovery codes, shown once (the old ones stop working)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not second_factor.has_factor(current_user):
        flash(_("Set up a passkey or an authenticator app first."), "error")
        return redirect(url_for("account.second_factor_page"))
    return _codes_page(recovery_codes.renew(me()))


def _app_page(form, status=200):
    """The setup page of the app: QR code, secret, first code."""
    secret, qr_svg = second_factor.setup_details(current_user,
                                                 second_factor.pending_app(current_user))
    return render_page("account/authenticator_app.html", status=status, form=form,
                       secret=secret, qr_svg=qr_svg)


def _codes_page(codes):
    """The recovery codes, shown in the answer to the POST that made them and never again."""
    return render_page("account/recovery_codes.html", codes=codes)
