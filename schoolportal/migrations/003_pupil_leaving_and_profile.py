"""Pupils can leave school; accounts get a mail notification choice and a profile photo."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add pupil.left_on, account.mail_notifications and account.photo."""
    migrator.add_fields("pupil", left_on=pw.DateField(null=True))
    migrator.add_fields(
        "account",
        mail_notifications=pw.CharField(
            max_length=12, default="immediately",
            constraints=[pw.Check("mail_notifications IN ('immediately','daily','never')")],
        ),
        photo=pw.CharField(max_length=64, null=True),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove the added columns."""
    migrator.remove_fields("account", "mail_notifications", "photo")
    migrator.remove_fields("pupil", "left_on")
