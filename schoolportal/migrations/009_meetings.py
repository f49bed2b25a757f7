"""Meetings: rounds, blocks, slots, bookings, time locks and individual requests."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the meeting tables with their unique keys (the booking guarantees)."""

    @migrator.create_model
    class MeetingRound(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        kind = pw.CharField(default='report', max_length=12, constraints=[pw.Check("kind IN ('report','introduction','other')")])
        place = pw.CharField(default='', max_length=200)
        video_url = pw.CharField(default='', max_length=500)
        opens_at = pw.DateTimeField()
        closes_at = pw.DateTimeField()
        one_per_guardian = pw.BooleanField(default=False)
        published_at = pw.DateTimeField(null=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "meeting_round"

    @migrator.create_model
    class MeetingRoundGroup(pw.Model):
        id = pw.AutoField()
        round = pw.ForeignKeyField(column_name='round_id', field='id', model=MeetingRound, on_delete='CASCADE')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='CASCADE')

        class Meta:
            table_name = "meeting_round_group"
            indexes = [(('round', 'group'), True)]

    @migrator.create_model
    class MeetingBlock(pw.Model):
        id = pw.AutoField()
        round = pw.ForeignKeyField(column_name='round_id', field='id', model=MeetingRound, on_delete='CASCADE')
        teacher = pw.ForeignKeyField(column_name='teacher_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        day = pw.DateField()
        starts = pw.TimeField()
        ends = pw.TimeField()
        slot_minutes = pw.IntegerField(constraints=[pw.Check("slot_minutes BETWEEN 5 AND 120")])
        gap_minutes = pw.IntegerField(default=0, constraints=[pw.Check("gap_minutes BETWEEN 0 AND 60")])
        break_starts = pw.TimeField(null=True)
        break_ends = pw.TimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "meeting_block"

    @migrator.create_model
    class MeetingRequest(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        asked_by = pw.ForeignKeyField(column_name='asked_by_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        teacher = pw.ForeignKeyField(column_name='teacher_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        reason = pw.CharField(max_length=500)
        status = pw.CharField(default='open', max_length=8, constraints=[pw.Check("status IN ('open','offered','booked','closed')")])
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "meeting_request"
            indexes = [(('teacher', 'status'), False)]

    @migrator.create_model
    class MeetingSlot(pw.Model):
        id = pw.AutoField()
        round = pw.ForeignKeyField(column_name='round_id', field='id', model=MeetingRound, null=True, on_delete='CASCADE')
        block = pw.ForeignKeyField(column_name='block_id', field='id', model=MeetingBlock, null=True, on_delete='CASCADE')
        request = pw.ForeignKeyField(column_name='request_id', field='id', model=MeetingRequest, null=True, on_delete='CASCADE')
        teacher = pw.ForeignKeyField(column_name='teacher_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        starts_at = pw.DateTimeField()
        ends_at = pw.DateTimeField()
        place = pw.CharField(default='', max_length=200)
        status = pw.CharField(default='free', max_length=8, constraints=[pw.Check("status IN ('free','booked','blocked')")])

        class Meta:
            table_name = "meeting_slot"
            indexes = [(('teacher', 'starts_at'), False), (('round', 'starts_at'), False)]

    @migrator.create_model
    class MeetingBooking(pw.Model):
        id = pw.AutoField()
        slot = pw.ForeignKeyField(column_name='slot_id', field='id', model=MeetingSlot, unique=True, on_delete='CASCADE')
        round = pw.ForeignKeyField(column_name='round_id', field='id', model=MeetingRound, null=True, on_delete='CASCADE')
        request = pw.ForeignKeyField(column_name='request_id', field='id', model=MeetingRequest, null=True, unique=True, on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        scope = pw.IntegerField(default=0)
        booked_by = pw.ForeignKeyField(column_name='booked_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        by_staff = pw.BooleanField(default=False)
        reminded_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "meeting_booking"
            indexes = [(('round', 'pupil', 'scope'), True)]

    @migrator.create_model
    class MeetingTimeLock(pw.Model):
        id = pw.AutoField()
        booking = pw.ForeignKeyField(column_name='booking_id', field='id', model=MeetingBooking, on_delete='CASCADE')
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['account'], on_delete='CASCADE', index=False)
        minute = pw.IntegerField()

        class Meta:
            table_name = "meeting_time_lock"
            indexes = [(('person', 'minute'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the meeting tables, children first."""
    for table in ("meeting_time_lock", "meeting_booking", "meeting_slot", "meeting_request",
                  "meeting_block", "meeting_round_group", "meeting_round"):
        migrator.remove_model(table)
