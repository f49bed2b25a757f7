"""Known devices: a login from a browser not seen before is written to the audit log.

At every login the browser gets (or keeps) a long-lived random cookie, "schoolportal_device".
The database holds only the SHA-256 of the account id with that token, so a stolen database
gives no cookie, and one family tablet can be a known device for each parent who uses it.
A login without the cookie, or with one this account has not used, adds a KnownDevice and
an audit entry "new_device"; a known one only moves its last_seen_at.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import after_this_request, current_app, request
from peewee import IntegrityError

from schoolportal.core import audit
from schoolportal.core.extensions import db
from schoolportal.core.models import KnownDevice, utcnow

COOKIE_NAME = "schoolportal_device"
COOKIE_AGE = timedelta(days=365)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def token_hash(user_id, token):
    """The stored form of a device token for one account."""
    return hashlib.sha256(f"{user_id}:{token}".encode()).hexdigest()


def presented_token():
    """The device token the browser sent, or None when it sent none (or a malformed one)."""
    token = request.cookies.get(COOKIE_NAME, "")
    return token if TOKEN_PATTERN.fullmatch(token) else None


def recognise(user):
    """At login: remember this browser for the user; True when it was new (and audited).

    Call inside the login transaction. The cookie is (re)set on the response, so a device
    that keeps logging in stays known.
    """
    token = presented_token() or secrets.token_urlsafe(32)
    hashed = token_hash(user.id, token)
    now = utcnow()
    known = KnownDevice.update(last_seen_at=now).where(
        (KnownDevice.token_hash == hashed) & (KnownDevice.user == user.id)).execute()
    new = False
    if not known:
        try:
            with db.atomic():  # a savepoint: a twin login that inserted first is no failure
                device = KnownDevice.create(user=user.id, token_hash=hashed,
                                            first_seen_at=now, last_seen_at=now)
                audit.record("new_device", "user", user.id, actor=user, device=device.id)
            new = True
        except IntegrityError:
            pass
    _set_cookie(token)
    return new


def _set_cookie(token):
    """Send the device cookie with the login response."""

    @after_this_request
    def set_device_cookie(response):
        """Add the cookie: HttpOnly, SameSite=Lax, Secure as the session cookie."""
        response.set_cookie(
            COOKIE_NAME, token, max_age=int(COOKIE_AGE.total_seconds()), httponly=True,
            samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)),
            path="/")
        return response


def forget_unused(days):
    """Delete devices not seen for `days` days (their cookie has expired); returns how many."""
    limit = utcnow() - timedelta(days=days)
    return KnownDevice.delete().where(KnownDevice.last_seen_at < limit).execute()
