"""The school-year rollover: year_rollover and school_group.archived_at."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create year_rollover; add school_group.archived_at."""
    migrator.add_fields("school_group", archived_at=pw.DateTimeField(null=True))

    @migrator.create_model
    class YearRollover(pw.Model):
        id = pw.AutoField()
        from_year = pw.CharField(max_length=9, unique=True)
        to_year = pw.CharField(max_length=9)
        done_by = pw.ForeignKeyField(column_name='done_by_id', field='id',
                                     model=migrator.orm['account'], null=True,
                                     on_delete='SET NULL')
        done_at = pw.DateTimeField()
        moved = pw.IntegerField(default=0)
        repeated = pw.IntegerField(default=0)
        left = pw.IntegerField(default=0)
        groups_created = pw.IntegerField(default=0)

        class Meta:
            table_name = "year_rollover"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop year_rollover and school_group.archived_at."""
    migrator.remove_model("year_rollover")
    migrator.remove_fields("school_group", "archived_at")
