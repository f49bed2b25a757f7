"""Coaching and research footage and the records of its destruction."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create coaching_media and destruction_record."""

    @migrator.create_model
    class CoachingMedia(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        purpose = pw.TextField()
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], null=True, on_delete='SET NULL')
        file_name = pw.CharField(max_length=64, unique=True)
        mimetype = pw.CharField(max_length=100)
        size = pw.IntegerField()
        download_name = pw.CharField(max_length=120)
        destroy_on = pw.DateField(index=True)
        scheduled_by = pw.ForeignKeyField(column_name='scheduled_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "coaching_media"

    @migrator.create_model
    class DestructionRecord(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        download_name = pw.CharField(max_length=120)
        mimetype = pw.CharField(max_length=100)
        size = pw.IntegerField()
        destroy_on = pw.DateField()
        destroyed_at = pw.DateTimeField()
        scheduled_by = pw.ForeignKeyField(column_name='scheduled_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        scheduled_by_name = pw.CharField(default='', max_length=100)
        destroyed_by = pw.ForeignKeyField(column_name='destroyed_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        destroyed_by_name = pw.CharField(default='', max_length=100)
        uploaded_at = pw.DateTimeField()
        reason = pw.CharField(max_length=5, constraints=[pw.Check("reason IN ('due','early')")])

        class Meta:
            table_name = "destruction_record"
            indexes = [(('destroyed_at',), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("destruction_record")
    migrator.remove_model("coaching_media")
