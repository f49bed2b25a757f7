"""The second factor for staff and admins: a passkey, or an authenticator app with codes.

Staff and admins read health data (absence reasons) of whole groups, so a password alone is
not enough for them. A passkey counts (it is user-verified: device plus PIN or biometrics);
otherwise a time-based code (TOTP, RFC 6238, pyotp) from an authenticator app, set up with
a QR code drawn here (segno, SVG), plus ten single-use recovery codes stored hashed.

Until they have one, staff are asked at every login; SECOND_FACTOR_GRACE_DAYS after it
first applied to them (their first login as staff since this existed) they must set one up
before anything else. A code's time step is accepted once (a conditional update of
last_used_step); a replayed code is refused and written to the audit log. Wrong codes count
as failed logins (core.throttle), under a key of their own per account.
"""

import base64
import hmac
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError, fn

from schoolportal.auth import recovery_codes
from schoolportal.auth.models import (
    AuthenticatorApp,
    Passkey,
    PasskeyChallenge,
    RecoveryCode,
    SecondFactorObligation,
)
from schoolportal.core import audit, outbox, sessions, throttle
from schoolportal.core.clock import utc_now
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF, School, User, utcnow

VALID_WINDOW = 1  # a code of the previous or next 30 seconds is accepted too (clock drift)
OK, ASK, REQUIRED = "ok", "ask", "required"


class SecondFactorError(Exception):
    """A second-factor action that cannot be done; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Status:
    """What a member of staff has set up, and until when they may go without."""

    passkeys: int
    app: bool
    recovery_left: int
    due_at: object  # naive UTC; None when not applicable

    @property
    def has_factor(self):
        """True with a passkey or a confirmed authenticator app."""
        return self.passkeys > 0 or self.app


def applies_to(user):
    """Staff and admins need a second factor; parents do not."""
    return user.role in (ROLE_ADMIN, ROLE_STAFF)


def grace_days():
    """Days staff may go without a second factor after it first applied to them."""
    return int(current_app.config.get("SECOND_FACTOR_GRACE_DAYS", 14))


def has_factor(user):
    """True when the user has a passkey or a confirmed authenticator app (one query)."""
    if Passkey.select().where(Passkey.user == user.id).exists():
        return True
    return AuthenticatorApp.select().where(
        (AuthenticatorApp.user == user.id) & AuthenticatorApp.confirmed_at.is_null(False)).exists()


def obligation_start(user):
    """When the obligation began for this user; starts it now if it had not yet."""
    now = utcnow()
    try:
        with db.atomic():  # a savepoint: a twin login that inserted first is no failure
            SecondFactorObligation.create(user=user.id, applies_since=now)
        return now
    except IntegrityError:
        return SecondFactorObligation.get(SecondFactorObligation.user == user.id).applies_since


def state_at_login(user):
    """OK (nothing to do), ASK (set one up, may wait) or REQUIRED (the grace period is over)."""
    if not applies_to(user) or has_factor(user):
        return OK
    since = obligation_start(user)
    return ASK if utcnow() < since + timedelta(days=grace_days()) else REQUIRED


def status_of(user):
    """Passkeys, app, recovery codes left and the deadline, for the account pages (2 queries)."""
    counts = User.select(
        Passkey.select(fn.COUNT(Passkey.id)).where(Passkey.user == user.id).alias("passkeys"),
        AuthenticatorApp.select(fn.COUNT(AuthenticatorApp.id)).where(
            (AuthenticatorApp.user == user.id)
            & AuthenticatorApp.confirmed_at.is_null(False)).alias("apps"),
        RecoveryCode.select(fn.COUNT(RecoveryCode.id)).where(
            (RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()).alias("codes"),
    ).where(User.id == user.id).dicts().get()
    obligation = SecondFactorObligation.get_or_none(SecondFactorObligation.user == user.id)
    return Status(
        passkeys=counts["passkeys"], app=counts["apps"] > 0, recovery_left=counts["codes"],
        due_at=(obligation.applies_since + timedelta(days=grace_days())
                if obligation and applies_to(user) else None),
    )


# The authenticator app (TOTP).

def _fernet():
    """The key that encrypts app secrets at rest, derived from SECRET_KEY."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"schoolportal authenticator app").derive(
        current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _totp(app):
    """The code generator of a stored app; None when SECRET_KEY changed since setup."""
    try:
        return pyotp.TOTP(_fernet().decrypt(app.secret.encode()).decode())
    except InvalidToken:
        return None


def start_app(user):
    """A new, unconfirmed secret for an authenticator app (a confirmed one must go first)."""
    secret = _fernet().encrypt(pyotp.random_base32().encode()).decode()
    try:
        with write_transaction():
            AuthenticatorApp.delete().where((AuthenticatorApp.user == user.id)
                                            & AuthenticatorApp.confirmed_at.is_null()).execute()
            return AuthenticatorApp.create(user=user.id, secret=secret)
    except IntegrityError as error:
        raise SecondFactorError(_l("You have an authenticator app already.")) from error


def pending_app(user):
    """The app being set up (not confirmed yet), or None."""
    return AuthenticatorApp.get_or_none((AuthenticatorApp.user == user.id)
                                        & AuthenticatorApp.confirmed_at.is_null())


def setup_details(user, app):
    """(the secret to type in, the QR code as inline SVG) for the app being set up."""
    totp = _totp(app)
    school = School.current()
    uri = totp.provisioning_uri(name=user.email,
                                issuer_name=school.name if school else "schoolportal")
    svg = segno.make(uri, error="m").svg_inline(scale=4, light="#fff", omitsize=False)
    spaced = " ".join(totp.secret[i:i + 4] for i in range(0, len(totp.secret), 4))
    return spaced, svg


def _accept_code(app, code, totp):
    """True when the code is right and its time step not used before (then it is used)."""
    current = totp.timecode(utc_now())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            taken = AuthenticatorApp.update(last_used_step=step).where(
                (AuthenticatorApp.id == app.id) & (AuthenticatorApp.last_used_step < step)
            ).execute()
            if taken == 1:
                return True
            _tell_about_reuse(app)
            return False
    return False


def _tell_about_reuse(app):
    """A used code came again: log it and mail the holder (ASVS 2.8.5); it stays refused."""
    holder = User.get_by_id(app.user_id)
    audit.record("second_factor", "account", holder.id, actor=holder, step="code_reused")
    outbox.send(holder, "auth/code_reused", _l("A used code for your account was tried again"),
                school=School.current(), tried_at=utcnow())


def confirm_app(user, code):
    """Prove the setup with a first code; returns the fresh recovery codes to show once."""
    code = _digits(code)
    with write_transaction():
        app = pending_app(user)
        totp = _totp(app) if app else None
        if totp is None or not _accept_code(app, code, totp):
            return None
        AuthenticatorApp.update(confirmed_at=utcnow()).where(
            AuthenticatorApp.id == app.id).execute()
        audit.record("second_factor", "account", user.id, step="app_added")
        return recovery_codes.replace(user)


def check_code(user, code):
    """True when the code from the confirmed app is right and unused (then it is used)."""
    code = _digits(code)
    with write_transaction():
        app = AuthenticatorApp.get_or_none((AuthenticatorApp.user == user.id)
                                           & AuthenticatorApp.confirmed_at.is_null(False))
        totp = _totp(app) if app else None
        return bool(totp and len(code) == totp.digits and _accept_code(app, code, totp))


def remove_app(user):
    """Remove the authenticator app (set up or half set up)."""
    with write_transaction():
        removed = AuthenticatorApp.delete().where(AuthenticatorApp.user == user.id).execute()
        if removed:
            audit.record("second_factor", "account", user.id, step="app_removed")
    return removed


def _digits(code):
    """The digits of a typed code (spaces as the app shows them are fine)."""
    return "".join(c for c in (code or "") if c.isdigit())[:10]


# Throttling and the admin's reset.

def _throttle_key(user):
    """The key under which wrong codes of this account are counted."""
    return f"second-factor:{user.id}"


def is_throttled(user, ip):
    """True when this account (or network address) typed too many wrong codes lately."""
    return throttle.is_throttled(_throttle_key(user), ip)


def record_failure(user, ip):
    """Count one wrong code."""
    throttle.record_failure(_throttle_key(user), ip)


def clear_failures(user):
    """Forget the wrong codes after a successful login."""
    throttle.clear_failures(_throttle_key(user))


def reset(member, actor):
    """Remove every second factor of a member of staff (passkeys too), log them out, audit it.

    For a lost phone: at the next login with the password they set up a new one (at once
    when their grace period is over).
    """
    with write_transaction():
        Passkey.delete().where(Passkey.user == member.id).execute()
        AuthenticatorApp.delete().where(AuthenticatorApp.user == member.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == member.id).execute()
        PasskeyChallenge.delete().where(PasskeyChallenge.user == member.id).execute()
        sessions.end_all(member)
        audit.record("second_factor", "account", member.id, actor=actor, step="reset")
