"""Invitations and password resets: the single-use links that open an account."""

import peewee as pw

from schoolportal.core.models import BaseModel, User, utcnow


class PasswordReset(BaseModel):
    """A request for a new password; for an active account it also holds a single-use link.

    Every request is kept for a day (address typed and network address), so requests can
    be throttled per address and per network address in the database. Only a request for
    an active, activated account has a user and a token.
    """

    email = pw.CharField(max_length=254, index=True)  # as typed, normalised
    ip = pw.CharField(max_length=45, index=True)
    user = pw.ForeignKeyField(User, null=True, backref="password_resets", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, null=True, unique=True)
    created_at = pw.DateTimeField(default=utcnow, index=True)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "password_reset"
        constraints = [pw.Check("(user_id IS NULL) = (token_hash IS NULL)")]

    @classmethod
    def usable(cls, now):
        """Links that still work: not used, not expired, for an active account."""
        return cls.select(cls, User).join(User).where(
            cls.used_at.is_null() & (cls.expires_at > now) & (User.active == True)  # noqa: E712
        )
