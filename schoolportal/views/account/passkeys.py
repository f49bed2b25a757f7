"""A user's own passkeys: adding one (with JavaScript) and removing one (a plain form)."""

from flask import abort, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.auth import passkeys, policy
from schoolportal.auth import service as auth_service
from schoolportal.auth.forms import ConfirmForm
from schoolportal.auth.passkeys import PasskeyRefused
from schoolportal.views import me
from schoolportal.views.account import bp
from schoolportal.views.auth.passkey_login import json_error, json_options, posted_credential


@bp.post("/account/passkeys/options")
@authz.signed_in
def passkey_options():
    """A fresh challenge to add a passkey to this account (JSON)."""
    return json_options(passkeys.registration_options(current_user))


@bp.post("/account/passkeys")
@authz.signed_in
def passkey_add():
    """Store the new passkey the browser made; JSON {redirect} or {error}."""
    data = request.get_json(silent=True)
    name = data.get("name") if isinstance(data, dict) and isinstance(data.get("name"), str) \
        else ""
    try:
        passkey = passkeys.register(me(), posted_credential() or {},
                                    name.strip() or passkeys.default_name(request.user_agent))
    except PasskeyRefused as refused:
        return json_error(refused.message)
    session.pop(auth_service.SETUP, None)  # a passkey is a second factor too
    flash(_("Your passkey “%(name)s” has been added. Next time, log in with it.",
            name=passkey.name), "success")
    back = authz.safe_next_url(request.args.get("next")) or url_for("account.settings")
    return jsonify(redirect=back)


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@authz.signed_in
def passkey_remove(passkey_id):
    """Remove one of your passkeys; it no longer logs you in."""
    passkey = policy.own_passkey_or_404(current_user, passkey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    passkeys.remove(passkey, me())
    flash(_("The passkey “%(name)s” has been removed. Also delete it from your device or "
            "password manager.", name=passkey.name), "success")
    return redirect(authz.safe_next_url(request.args.get("next")) or url_for("account.settings"))
