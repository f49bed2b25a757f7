"""Invitations: the single-use links that turn an invited address into an account."""

import peewee as pw

from .base import BaseModel, utcnow
from .school import Pupil, User


class Invitation(BaseModel):
    """An activation link sent to a (not yet activated) account, for a child or a job."""

    user = pw.ForeignKeyField(User, backref="invitations", on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, null=True, backref="invitations", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    invited_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)

    @classmethod
    def usable(cls, now):
        """Invitations whose link still works."""
        return cls.select().where(
            cls.used_at.is_null() & cls.revoked_at.is_null() & (cls.expires_at > now)
        )
