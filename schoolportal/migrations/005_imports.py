"""Pupil imports: an uploaded file kept between its preview and the confirmation."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the pupil_import table."""

    @migrator.create_model
    class PupilImport(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        uploaded_by = pw.ForeignKeyField(column_name='uploaded_by_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        file_name = pw.CharField(max_length=255)
        content = pw.TextField()
        plan_digest = pw.CharField(max_length=64)
        created_at = pw.DateTimeField()
        applied_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "pupil_import"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the table this migration created."""
    migrator.remove_model("pupil_import")
