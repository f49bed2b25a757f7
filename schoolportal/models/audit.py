"""The audit log: who did what to sensitive data. Entries are added, never changed.

Entries hold ids and codes, never names or free text, so erasing a family leaves no
personal data behind here (the actor becomes null when an account is deleted).
"""

import peewee as pw

from .base import BaseModel, utcnow
from .school import User


class AuditEntry(BaseModel):
    """One action on sensitive data."""

    at = pw.DateTimeField(default=utcnow, index=True)
    actor = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    actor_role = pw.CharField(max_length=10, default="")
    action = pw.CharField(max_length=40, index=True)
    subject_type = pw.CharField(max_length=40, default="")
    subject_id = pw.IntegerField(null=True)
    details = pw.TextField(default="{}")  # JSON: ids and codes only

    class Meta:
        table_name = "audit_entry"
        indexes = ((("subject_type", "subject_id"), False),)

    def save(self, *args, **kwargs):
        """Add an entry; an existing entry is never saved again."""
        if self.id is not None:
            raise PermissionError("audit entries cannot be changed")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        """Entries are removed only by the retention purge (audit.purge_before)."""
        raise PermissionError("audit entries cannot be deleted one by one")


class KnownDevice(BaseModel):
    """A browser someone logged in from before (a long-lived random cookie, stored hashed)."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    first_seen_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "known_device"
