"""Signing in with a passkey: the browser asks for a challenge, then sends the signed answer.

Both answer JSON for static/js/passkeys.js (CSRF travels as the X-CSRFToken header). A
passkey is user-verified, so it is a whole login for staff too: no second step follows.
"""

from flask import current_app, jsonify, request, url_for

from schoolportal import authz
from schoolportal.auth import passkeys
from schoolportal.auth import service as auth_service
from schoolportal.auth.passkeys import PasskeyRefused
from schoolportal.views.auth import bp
from schoolportal.views.auth.login import after_login


@bp.post("/login/passkey/options")
@authz.public
def passkey_options():
    """A fresh challenge for signing in with any passkey of this site."""
    return json_options(passkeys.login_options())


@bp.post("/login/passkey")
@authz.public
def passkey_login():
    """Check the signed challenge and log the passkey's owner in; JSON {redirect} or {error}."""
    try:
        passkey = passkeys.authenticate(posted_credential(), "login")
    except PasskeyRefused as refused:
        return json_error(refused.message)
    state = auth_service.log_in(passkey.user)
    response = after_login(state, authz.safe_next_url(request.args.get("next")))
    return jsonify(redirect=response.location or url_for("home.index"))


def json_options(options_json):
    """Options made by the webauthn library, as they are (already JSON)."""
    return current_app.response_class(options_json, mimetype="application/json")


def json_error(message, status=422):
    """A refusal the script shows next to the button."""
    return jsonify(error=str(message)), status


def posted_credential():
    """The credential in the posted JSON ({"credential": {...}}), or None."""
    data = request.get_json(silent=True)
    credential = data.get("credential") if isinstance(data, dict) else None
    return credential if isinstance(credential, dict) else None
