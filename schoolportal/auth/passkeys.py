"""Passkeys (WebAuthn, the `webauthn` library): adding one, signing in with one.

The relying party is the portal's address: its id is BASE_URL's host name and the only
origin accepted is BASE_URL's scheme, host and port (WebAuthn refuses IP addresses, so the
demo runs on http://localhost:5000). Every ceremony gets a fresh challenge that is stored
on the server under a random key kept in a cookie of its own (not in the session: the login
page asks for a challenge while the visitor may already be submitting the password form, and
a session cookie written by the slower response would undo the login). It works once (the
row is deleted before the answer is checked), for CHALLENGE_SECONDS, and only for that
browser.
Credentials are discoverable and need user verification, so a passkey alone is two
factors (the device and its PIN or biometrics). The signature counter must go up unless
the authenticator always reports zero (synced passkeys do).
"""

import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlparse

import webauthn
from flask import after_this_request, current_app, request
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from schoolportal.auth.models import Passkey, PasskeyChallenge
from schoolportal.core import audit
from schoolportal.core.database import write_transaction
from schoolportal.core.models import School, User, utcnow

CHALLENGE_SECONDS = 300
COOKIE_NAME = "schoolportal_passkey"
NAME_LENGTH = 60


class PasskeyRefused(Exception):
    """A ceremony that did not succeed; `message` says why, in words for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def relying_party():
    """(rp id, origin) from BASE_URL."""
    parsed = urlparse(current_app.config["BASE_URL"])
    return parsed.hostname, f"{parsed.scheme}://{parsed.netloc}"


def _b64(data):
    """Bytes as base64url without padding."""
    return bytes_to_base64url(data)


def _unb64(text):
    """base64url (with or without padding) as bytes."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_challenge(ceremony, user=None, handle=None):
    """Store a fresh challenge for this browser and return it (bytes)."""
    key, challenge, now = secrets.token_urlsafe(32), secrets.token_bytes(32), utcnow()
    with write_transaction():
        PasskeyChallenge.delete().where(PasskeyChallenge.expires_at < now).execute()
        old = request.cookies.get(COOKIE_NAME)
        if old:
            PasskeyChallenge.delete().where(PasskeyChallenge.key_hash == _hash(old)).execute()
        PasskeyChallenge.create(
            key_hash=_hash(key), ceremony=ceremony, user=user.id if user else None,
            challenge=_b64(challenge), user_handle=_b64(handle) if handle else None,
            expires_at=now + timedelta(seconds=CHALLENGE_SECONDS))
    _keep_key(key)
    return challenge


def _take_challenge(ceremony, user=None):
    """(challenge, user handle) of this browser's ceremony, deleted as it is taken.

    PasskeyRefused when there is none, it expired, or it was for another ceremony or user.
    """
    key = request.cookies.get(COOKIE_NAME)
    _keep_key(None)
    if not key:
        raise PasskeyRefused(_l("This page has expired. Try again."))
    row = PasskeyChallenge.get_or_none(PasskeyChallenge.key_hash == _hash(key))
    if row is None:
        raise PasskeyRefused(_l("This page has expired. Try again."))
    taken = PasskeyChallenge.delete().where(PasskeyChallenge.id == row.id).execute()
    if (taken != 1 or row.ceremony != ceremony or row.expires_at <= utcnow()
            or row.user_id != (user.id if user else None)):
        raise PasskeyRefused(_l("This page has expired. Try again."))
    return _unb64(row.challenge), row.user_handle


def _keep_key(key):
    """Set (or, with None, delete) this browser's challenge cookie with the response."""
    @after_this_request
    def set_cookie(response):
        if key is None:
            response.delete_cookie(COOKIE_NAME, httponly=True, samesite="Lax",
                                   secure=current_app.config["SESSION_COOKIE_SECURE"])
        else:
            response.set_cookie(
                COOKIE_NAME, key, max_age=CHALLENGE_SECONDS, httponly=True, samesite="Lax",
                secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response


def _hash(key):
    """The stored form of a ceremony key."""
    return hashlib.sha256(key.encode()).hexdigest()


def registration_options(user):
    """Options for navigator.credentials.create(), as JSON text."""
    rp_id, _origin = relying_party()
    school = School.current()
    mine = list(Passkey.select(Passkey.credential_id, Passkey.user_handle).where(
        Passkey.user == user))
    # One handle per account, so an authenticator replaces an older passkey of ours.
    handle = _unb64(mine[0].user_handle) if mine else secrets.token_bytes(32)
    options = webauthn.generate_registration_options(
        rp_id=rp_id, rp_name=school.name if school else "schoolportal",
        user_name=user.email, user_display_name=user.display_name or user.email,
        user_id=handle, challenge=_new_challenge("register", user, handle),
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_unb64(p.credential_id))
                             for p in mine],
    )
    return webauthn.options_to_json(options)


def register(user, credential, name):
    """Check the browser's answer and store the passkey; PasskeyRefused when it fails."""
    rp_id, origin = relying_party()
    with write_transaction():
        challenge, handle = _take_challenge("register", user)
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(_l("The passkey could not be added. Try again.")) from error
    transports = (credential.get("response") or {}).get("transports") or []
    try:
        with write_transaction():
            passkey = Passkey.create(
                user=user, credential_id=_b64(verified.credential_id), user_handle=handle,
                public_key=_b64(verified.credential_public_key), sign_count=verified.sign_count,
                name=(name or "").strip()[:NAME_LENGTH] or str(_l("Passkey")),
                transports=",".join(str(t) for t in transports)[:200],
                backed_up=bool(verified.credential_backed_up))
            audit.record("passkey", "account", user.id, actor=user, step="added",
                         passkey=passkey.id)
            return passkey
    except IntegrityError as error:
        raise PasskeyRefused(_l("This passkey has been added already.")) from error


def login_options():
    """Options for signing in with any passkey of this site (the browser offers them)."""
    rp_id, _origin = relying_party()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, challenge=_new_challenge("login"), timeout=CHALLENGE_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED)
    return webauthn.options_to_json(options)


def second_factor_options(user):
    """Options for proving the second factor with one of this user's passkeys."""
    rp_id, _origin = relying_party()
    mine = Passkey.select(Passkey.credential_id, Passkey.transports).where(Passkey.user == user)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, challenge=_new_challenge("second", user), timeout=CHALLENGE_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=_unb64(p.credential_id))
                           for p in mine])
    return webauthn.options_to_json(options)


def authenticate(credential, ceremony="login", user=None):
    """The passkey that signed this answer (its user loaded); PasskeyRefused otherwise.

    For the second factor, `user` is the account whose password was just typed and the
    passkey must be theirs. The counter is moved on with a conditional update, so the same
    answer cannot be used twice even by two requests at once.
    """
    rp_id, origin = relying_party()
    with write_transaction():
        challenge, _handle = _take_challenge(ceremony, user)
    refused = PasskeyRefused(_l(
        "Signing in with this passkey did not work. Try again, or log in with your password."))
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise refused
    passkey = (Passkey.select(Passkey, User).join(User)
               .where(Passkey.credential_id == credential["id"][:1400]).first())
    if passkey is None or not passkey.user.active:
        raise PasskeyRefused(_l("This passkey is not known here (any more). Log in with "
                                "your password, or use another passkey."))
    if user is not None and passkey.user_id != user.id:
        raise PasskeyRefused(_l("This passkey belongs to another account."))
    handle = (credential.get("response") or {}).get("userHandle")
    if handle and handle != passkey.user_handle:
        raise refused
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=_unb64(passkey.public_key),
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except InvalidAuthenticationResponse as error:
        if "sign count" in str(error):
            raise PasskeyRefused(_l(
                "This passkey counted fewer uses than before, as a copied passkey would. "
                "It is refused: log in with your password and add the passkey again.")) from error
        raise refused from error
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise refused from error
    with write_transaction():
        moved = Passkey.update(sign_count=verified.new_sign_count, last_used_at=utcnow()).where(
            (Passkey.id == passkey.id) & (Passkey.sign_count == passkey.sign_count)).execute()
    if moved != 1:
        raise refused  # the same answer in another request a moment ago
    return passkey


def of(user):
    """The user's passkeys, newest first."""
    return Passkey.select().where(Passkey.user == user).order_by(Passkey.created_at.desc(),
                                                                  Passkey.id.desc())


def remove(passkey, actor):
    """Delete one passkey (the caller found it through the policy)."""
    with write_transaction():
        removed = Passkey.delete().where(Passkey.id == passkey.id).execute()
        if removed:
            audit.record("passkey", "account", passkey.user_id, actor=actor, step="removed",
                         passkey=passkey.id)
        return removed


def default_name(user_agent):
    """A name for a new passkey from the browser that added it: "Chrome, Android"."""
    browser = user_agent.browser or ""
    platform = user_agent.platform or ""
    names = {"iphone": "iPhone", "ipad": "iPad", "macos": "Mac", "android": "Android",
             "windows": "Windows", "linux": "Linux", "chromeos": "ChromeOS"}
    parts = [browser.capitalize() if browser else "", names.get(platform, platform.capitalize())]
    return ", ".join(p for p in parts if p)[:NAME_LENGTH]


def export_rows(user):
    """The user's passkeys for the family export: no keys, only what the account page shows."""
    return [{"name": p.name, "added_at": p.created_at, "last_used_at": p.last_used_at,
             "synced": p.backed_up} for p in of(user)]


def forget_expired_challenges():
    """Delete challenges nobody answered in time (the daily job); returns how many went."""
    return PasskeyChallenge.delete().where(PasskeyChallenge.expires_at < utcnow()).execute()
