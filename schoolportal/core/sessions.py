"""Server-side login sessions: a random key in the signed cookie, its hash in the database.

A fresh key is made at every login; logout, expiry and deactivation delete the row, so a
copied cookie stops working at once (OWASP ASVS 3.2 and 3.3).
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from schoolportal.core.models import AuthSession, User, utcnow
from schoolportal.core.prepared import prepared

TOUCH_EVERY = timedelta(minutes=1)


def _hash(key):
    """The stored form of a session key."""
    return hashlib.sha256(key.encode()).hexdigest()


def start(user, user_agent=""):
    """Open a new session for the user and return its key."""
    key = secrets.token_urlsafe(32)
    AuthSession.create(key_hash=_hash(key), user=user, user_agent=(user_agent or "")[:200])
    user.session_key = key
    return key


@prepared
def _live_session(key_hash, idle_limit, age_limit):
    """The session with this key, with its active user, if used and made after the limits
    (every request asks: its text is built once)."""
    return (
        AuthSession.select(AuthSession, User)
        .join(User)
        .where(
            (AuthSession.key_hash == key_hash)
            & (AuthSession.last_seen_at > idle_limit)
            & (AuthSession.created_at > age_limit)
            & (User.active == True)  # noqa: E712 (peewee expression)
        )
        .limit(1)
    )


def load(key):
    """The user of a live session, or None when it ended, idled out or is too old."""
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    config = current_app.config
    now = utcnow()
    idle_limit = now - timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    age_limit = now - timedelta(hours=config["SESSION_MAX_HOURS"])
    row = _live_session(_hash(key), idle_limit, age_limit).first()
    if row is None:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        AuthSession.update(last_seen_at=now).where(AuthSession.id == row.id).execute()
    user = row.user
    user.session_key = key
    return user


def end(key):
    """End one session (logout)."""
    if key:
        AuthSession.delete().where(AuthSession.key_hash == _hash(key)).execute()


def end_all(user):
    """End every session of a user (password change, deactivation)."""
    AuthSession.delete().where(AuthSession.user == user).execute()


def end_others(user, keep_key):
    """End every session of a user except the one with keep_key (after a password change)."""
    query = AuthSession.delete().where(AuthSession.user == user)
    if keep_key:
        query = query.where(AuthSession.key_hash != _hash(keep_key))
    return query.execute()


def purge_expired():
    """Delete sessions that can no longer be used."""
    config = current_app.config
    now = utcnow()
    idle_limit = now - timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    age_limit = now - timedelta(hours=config["SESSION_MAX_HOURS"])
    query = AuthSession.delete().where(
        (AuthSession.last_seen_at <= idle_limit) | (AuthSession.created_at <= age_limit)
    )
    return query.execute()
