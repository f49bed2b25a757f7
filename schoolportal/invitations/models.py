"""Invitations: the single-use links that open an account for a guardian or a colleague."""

import peewee as pw

from schoolportal.core.models import BaseModel, Pupil, User, utcnow


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

    def works_at(self, now):
        """True when this invitation's link still works at that moment."""
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
