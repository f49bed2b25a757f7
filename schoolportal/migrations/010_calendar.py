"""The year calendar: activities with their groups, private feed links, .ics imports."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the activity, activity_group, calendar_feed and calendar_import tables."""

    @migrator.create_model
    class Activity(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        starts_on = pw.DateField()
        ends_on = pw.DateField()
        starts_at = pw.TimeField(null=True)
        ends_at = pw.TimeField(null=True)
        place = pw.CharField(default='', max_length=200)
        description = pw.TextField(default='')
        whole_school = pw.BooleanField(default=True)
        link_url = pw.CharField(default='', max_length=500)
        import_key = pw.CharField(max_length=64, null=True, unique=True)
        sequence = pw.IntegerField(default=0)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "activity"
            constraints = [
                pw.Check("ends_on >= starts_on"),
                pw.Check("(starts_at IS NULL) = (ends_at IS NULL)"),
                pw.Check("starts_at IS NULL OR ends_on > starts_on OR ends_at > starts_at"),
            ]
            indexes = [(('starts_on', 'ends_on'), False)]

    @migrator.create_model
    class ActivityGroup(pw.Model):
        id = pw.AutoField()
        activity = pw.ForeignKeyField(column_name='activity_id', field='id', model=migrator.orm['activity'], on_delete='CASCADE')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='CASCADE')

        class Meta:
            table_name = "activity_group"
            indexes = [(('activity', 'group'), True)]

    @migrator.create_model
    class CalendarFeed(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE', unique=True)
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "calendar_feed"

    @migrator.create_model
    class CalendarImport(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        uploaded_by = pw.ForeignKeyField(column_name='uploaded_by_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        file_name = pw.CharField(max_length=255)
        plan = pw.TextField()
        created_at = pw.DateTimeField()
        applied_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "calendar_import"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("calendar_import")
    migrator.remove_model("calendar_feed")
    migrator.remove_model("activity_group")
    migrator.remove_model("activity")
