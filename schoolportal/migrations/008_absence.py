"""Absence reports and leave requests."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the absence_report and leave_request tables."""

    @migrator.create_model
    class AbsenceReport(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        reported_by = pw.ForeignKeyField(column_name='reported_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        reason = pw.CharField(max_length=8, constraints=[pw.Check("reason IN ('sick','doctor','other')")])
        reason_text = pw.CharField(default='', max_length=200)
        starts_on = pw.DateField()
        ends_on = pw.DateField(null=True)
        start_time = pw.TimeField(null=True)
        end_time = pw.TimeField(null=True)
        note = pw.TextField(default='')
        late = pw.BooleanField(default=False)
        submission_key = pw.CharField(max_length=64, unique=True)
        seen_by = pw.ForeignKeyField(column_name='seen_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        seen_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "absence_report"
            indexes = [
                (('pupil', 'starts_on'), True),
                (('starts_on', 'ends_on'), False),
            ]
            constraints = [
                pw.Check("ends_on IS NULL OR ends_on >= starts_on"),
                pw.Check("ends_on IS NOT NULL OR reason = 'sick'"),
                pw.Check("(start_time IS NULL) = (end_time IS NULL)"),
                pw.Check("start_time IS NULL OR (ends_on = starts_on AND end_time > start_time)"),
            ]

    @migrator.create_model
    class LeaveRequest(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        requested_by = pw.ForeignKeyField(column_name='requested_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        starts_on = pw.DateField()
        ends_on = pw.DateField()
        reason = pw.TextField()
        status = pw.CharField(default='pending', max_length=8, constraints=[pw.Check("status IN ('pending','approved','rejected')")])
        decided_by = pw.ForeignKeyField(column_name='decided_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        decided_at = pw.DateTimeField(null=True)
        decision_note = pw.TextField(default='')
        submission_key = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "leave_request"
            indexes = [
                (('status', 'created_at'), False),
                (('starts_on', 'ends_on'), False),
            ]
            constraints = [pw.Check("ends_on >= starts_on")]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("leave_request")
    migrator.remove_model("absence_report")
