"""Absence reporting and leave requests.

An `AbsenceReport` is a parent telling the school a child is away (sick, at the doctor's,
something else); a `LeaveRequest` asks the director for extraordinary leave (verlof).
Both hold sensitive details (reasons, notes); `absences.purge` deletes them after the
retention period. Each is created from a form with a one-time `submission_key`: a double
tap or a resubmitted form hits the unique index instead of creating a second row, and one
report per pupil per first day is unique too, so two guardians tapping at once make one.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow

REASON_SICK = "sick"
REASON_DOCTOR = "doctor"
REASON_OTHER = "other"
REASONS = (REASON_SICK, REASON_DOCTOR, REASON_OTHER)

LEAVE_PENDING = "pending"
LEAVE_APPROVED = "approved"
LEAVE_REJECTED = "rejected"


class AbsenceReport(BaseModel):
    """A child reported absent by a parent: why, from when until when, and who has seen it."""

    kind = "report"  # lists of who is away mix reports and leave

    pupil = pw.ForeignKeyField(Pupil, backref="absence_reports", on_delete="CASCADE")
    reported_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reason = pw.CharField(
        max_length=8, constraints=[pw.Check("reason IN ('sick','doctor','other')")])
    reason_text = pw.CharField(max_length=200, default="")  # what "other" is
    starts_on = pw.DateField()
    ends_on = pw.DateField(null=True)  # null: until the parent says "better again" (illness)
    start_time = pw.TimeField(null=True)  # part of one day: from .. until
    end_time = pw.TimeField(null=True)
    note = pw.TextField(default="")
    late = pw.BooleanField(default=False)  # reported after the absence had begun
    submission_key = pw.CharField(max_length=64, unique=True)
    seen_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    seen_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "absence_report"
        indexes = (
            (("pupil", "starts_on"), True),  # one report per child per first day
            (("starts_on", "ends_on"), False),  # who is away on a day
        )
        constraints = [
            pw.Check("ends_on IS NULL OR ends_on >= starts_on"),
            pw.Check("ends_on IS NOT NULL OR reason = 'sick'"),
            pw.Check("(start_time IS NULL) = (end_time IS NULL)"),
            pw.Check("start_time IS NULL OR (ends_on = starts_on AND end_time > start_time)"),
        ]

    @classmethod
    def with_people(cls):
        """Reports with their pupil, group, reporter and the one who saw it, in one query."""
        reporter, seer = User.alias("reporter"), User.alias("seer")
        return (
            cls.select(cls, Pupil, Group, reporter, seer)
            .join(Pupil).join(Group)
            .switch(cls).join(reporter, pw.JOIN.LEFT_OUTER, on=cls.reported_by)
            .switch(cls).join(seer, pw.JOIN.LEFT_OUTER, on=cls.seen_by)
        )

    @classmethod
    def between(cls, pupil_ids, first, last):
        """Reports of these pupils (a subquery) sharing a day with first..last, school order."""
        return cls.with_people().where(
            cls.pupil.in_(pupil_ids) & cls.overlapping(first, last)
        ).order_by(Group.sort_order, Group.name, Pupil.first_name, Pupil.last_name, cls.starts_on)

    @classmethod
    def not_over(cls, pupil_ids, day):
        """Reports of these pupils that include the day or come later, first ones first."""
        return cls.with_people().where(
            cls.pupil.in_(pupil_ids) & (cls.ends_on.is_null() | (cls.ends_on >= day))
        ).order_by(cls.starts_on)

    @classmethod
    def unseen(cls, pupil_ids, day):
        """Reports of these pupils, current or ahead, that no teacher has marked seen."""
        return cls.select().where(cls.pupil.in_(pupil_ids) & cls.seen_at.is_null()
                                  & (cls.ends_on.is_null() | (cls.ends_on >= day)))

    @classmethod
    def covering(cls, day):
        """A filter for reports that include the day."""
        return (cls.starts_on <= day) & (cls.ends_on.is_null() | (cls.ends_on >= day))

    @classmethod
    def overlapping(cls, first, last):
        """A filter for reports that share at least one day with first..last."""
        return (cls.starts_on <= last) & (cls.ends_on.is_null() | (cls.ends_on >= first))

    @property
    def is_open_ended(self):
        """True while nobody has said when the child is back."""
        return self.ends_on is None

    @property
    def is_part_of_day(self):
        """True for an absence of a few hours on one day."""
        return self.start_time is not None


class LeaveRequest(BaseModel):
    """A parent asks the director for leave (verlof) on school days; decided once."""

    kind = "leave"
    late = False  # asked ahead, never late

    pupil = pw.ForeignKeyField(Pupil, backref="leave_requests", on_delete="CASCADE")
    requested_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    reason = pw.TextField()
    status = pw.CharField(
        max_length=8, default=LEAVE_PENDING,
        constraints=[pw.Check("status IN ('pending','approved','rejected')")])
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    decision_note = pw.TextField(default="")  # the director's reason, shown to the parents
    submission_key = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "leave_request"
        indexes = (
            (("status", "created_at"), False),  # the director's queue
            (("starts_on", "ends_on"), False),  # who is on leave on a day
        )
        constraints = [pw.Check("ends_on >= starts_on")]

    @classmethod
    def with_people(cls):
        """Requests with their pupil, group, requester and decider, in one query."""
        requester, decider = User.alias("requester"), User.alias("decider")
        return (
            cls.select(cls, Pupil, Group, requester, decider)
            .join(Pupil).join(Group)
            .switch(cls).join(requester, pw.JOIN.LEFT_OUTER, on=cls.requested_by)
            .switch(cls).join(decider, pw.JOIN.LEFT_OUTER, on=cls.decided_by)
        )

    @classmethod
    def of_pupils(cls, pupil_ids):
        """Requests of these pupils (a subquery), newest first."""
        return cls.with_people().where(cls.pupil.in_(pupil_ids)).order_by(
            cls.created_at.desc(), cls.id.desc())

    @classmethod
    def approved_between(cls, pupil_ids, first, last):
        """Approved leave of these pupils sharing a day with first..last, in school order."""
        return cls.with_people().where(
            cls.pupil.in_(pupil_ids) & (cls.status == LEAVE_APPROVED)
            & (cls.starts_on <= last) & (cls.ends_on >= first)
        ).order_by(Group.sort_order, Group.name, Pupil.first_name, Pupil.last_name)

    @classmethod
    def pending(cls):
        """Requests waiting for the director."""
        return cls.select().where(cls.status == LEAVE_PENDING)

    @property
    def is_pending(self):
        """True while the director has not decided."""
        return self.status == LEAVE_PENDING
