"""Login sessions and failed logins."""

import peewee as pw

from .base import BaseModel, utcnow
from .school import User


class AuthSession(BaseModel):
    """A logged-in session, kept on the server so logout and expiry really end it."""

    key_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    user_agent = pw.CharField(max_length=200, default="")


class LoginAttempt(BaseModel):
    """A failed login, counted per address typed and per network address for throttling."""

    email = pw.CharField(max_length=254, index=True)
    ip = pw.CharField(max_length=45, index=True)
    created_at = pw.DateTimeField(default=utcnow, index=True)
