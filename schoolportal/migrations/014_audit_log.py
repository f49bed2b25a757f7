"""The audit log and the browsers people logged in from before."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create audit_entry and known_device."""

    @migrator.create_model
    class AuditEntry(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        actor = pw.ForeignKeyField(column_name='actor_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        actor_role = pw.CharField(default='', max_length=10)
        action = pw.CharField(index=True, max_length=40)
        subject_type = pw.CharField(default='', max_length=40)
        subject_id = pw.IntegerField(null=True)
        details = pw.TextField(default='{}')

        class Meta:
            table_name = "audit_entry"
            indexes = [(('subject_type', 'subject_id'), False)]

    @migrator.create_model
    class KnownDevice(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        first_seen_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()

        class Meta:
            table_name = "known_device"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("known_device")
    migrator.remove_model("audit_entry")
