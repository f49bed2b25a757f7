"""Heartbeats: when the worker's round and the backup last finished well (issue 19)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create heartbeat."""

    @migrator.create_model
    class Heartbeat(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=32, unique=True)
        last_success_at = pw.DateTimeField()
        detail = pw.CharField(default='', max_length=200)

        class Meta:
            table_name = "heartbeat"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop heartbeat."""
    migrator.remove_model("heartbeat")
