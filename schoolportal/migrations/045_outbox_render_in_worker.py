"""Mail rendered by the worker: outbox_mail.context holds what to render it from."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add outbox_mail.context (JSON; null once the mail is rendered)."""
    migrator.add_fields("outbox_mail", context=pw.TextField(null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop outbox_mail.context."""
    migrator.remove_fields("outbox_mail", "context")
