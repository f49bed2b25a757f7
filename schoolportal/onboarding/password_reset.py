"""A forgotten password: a single-use link by mail, valid for one hour.

The answer on screen is the same whether or not the address has an account; only an
active, activated account gets a mail. Every request is recorded for a day (address typed,
network address), so requests are throttled per address and per network address in the
database, shared by every worker process. The per-address limit is silent (a visible one
would tell which addresses have accounts); the per-network-address limit is shown.

Links carry 256 random bits and only their hash is stored: guessing one is hopeless
(2^256 tries; a million a second would take far longer than the universe has existed),
so token look-ups need no throttle of their own.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from schoolportal.auth import passkeys, passwords
from schoolportal.core import outbox, sessions, throttle, tokens
from schoolportal.core.database import write_transaction
from schoolportal.core.models import School, User, normalize_email, utcnow
from schoolportal.onboarding.models import PasswordReset

VALID_FOR = timedelta(hours=1)
COUNT_WINDOW = timedelta(hours=1)
KEEP_REQUESTS = timedelta(days=1)
# Overridable in app.config; the defaults allow a few tries and stop mail bombing.
DEFAULT_MAX_PER_ADDRESS = 3
DEFAULT_MAX_PER_NETWORK_ADDRESS = 20


class TooManyRequests(Exception):
    """This network address asked for too many links recently and must wait."""


def request_link(email, ip):
    """Record the request; mail a link when the address has an active, activated account.

    Returns the PasswordReset holding the link, or None (no account, or throttled for this
    address: the caller shows the same answer either way). Raises TooManyRequests when
    this network address must wait.
    """
    email, ip, now = normalize_email(email)[:254], (ip or "unknown")[:45], utcnow()
    config = current_app.config
    with write_transaction():
        recent = PasswordReset.select().where(PasswordReset.created_at > now - COUNT_WINDOW)
        by_ip = recent.where(PasswordReset.ip == ip).count()
        if by_ip >= config.get("PASSWORD_RESET_MAX_PER_NETWORK_ADDRESS",
                               DEFAULT_MAX_PER_NETWORK_ADDRESS):
            raise TooManyRequests
        by_email = recent.where(PasswordReset.email == email).count()
        if by_email >= config.get("PASSWORD_RESET_MAX_PER_ADDRESS", DEFAULT_MAX_PER_ADDRESS):
            return None  # not recorded either, so the window slides on for the owner
        user = User.by_email(email)
        if user is None or not user.active or not user.password_hash:
            PasswordReset.create(email=email, ip=ip, created_at=now, expires_at=now)
            return None
        token, token_hash = tokens.new_token()
        reset = PasswordReset.create(
            email=email, ip=ip, user=user, token_hash=token_hash, created_at=now,
            expires_at=now + VALID_FOR,
        )
        school = School.current()
        outbox.send(
            user, "onboarding/password_reset",
            _l("Choose a new password for %(school)s",
               school=school.name if school else "schoolportal"),
            link=outbox.absolute_url("onboarding.reset_password", token=token),
            school=school, minutes=int(VALID_FOR.total_seconds() // 60),
            passkeys=passkeys.of(user).count(),
        )
        return reset


def find_usable(token):
    """The reset whose link is this token, if it still works; else None."""
    if not tokens.looks_like_token(token):
        return None
    return PasswordReset.usable(utcnow()).where(
        PasswordReset.token_hash == tokens.hash_token(token)).first()


def reset_password(token, password):
    """Use the link once: set the new password and end every session. Returns the user or None.

    Passkeys stay: they are not the password, and the mail with the link says so.
    """
    with write_transaction():
        reset = find_usable(token)
        if reset is None:
            return None
        now = utcnow()
        used = PasswordReset.update(used_at=now).where(
            (PasswordReset.id == reset.id) & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > now)
        ).execute()
        if used != 1:
            return None  # used a moment ago, in another request
        user = reset.user
        # Other links of this account stop working too: the password is fresh now.
        PasswordReset.update(used_at=now).where(
            (PasswordReset.user == user) & PasswordReset.used_at.is_null()).execute()
        User.update(password_hash=passwords.hash_password(password)).where(
            User.id == user.id).execute()
        sessions.end_all(user)
        throttle.clear_failures(user.email)
        return user


def forget_old_requests():
    """Delete requests older than a day: they no longer count, and hold typed addresses."""
    return PasswordReset.delete().where(
        PasswordReset.created_at < utcnow() - KEEP_REQUESTS).execute()
