"""What every model shares: the database binding, roles, UTC timestamps."""

from datetime import UTC, datetime

import peewee as pw

from ..extensions import db

ROLE_ADMIN = "admin"
ROLE_STAFF = "staff"
ROLE_PARENT = "parent"
ROLES = (ROLE_ADMIN, ROLE_STAFF, ROLE_PARENT)


def utcnow():
    """The current time as naive UTC, the way every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalize_email(email):
    """One spelling per address, so uniqueness holds case-insensitively."""
    return (email or "").strip().lower()


class BaseModel(pw.Model):
    """Binds every model to the one database."""

    class Meta:
        database = db
        legacy_table_names = False


