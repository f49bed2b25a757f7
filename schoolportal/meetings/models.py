"""Report and introduction meetings: rounds, time slots, bookings, individual requests.

What the database guarantees (on SQLite and PostgreSQL alike):
- a slot is taken at most once: a conditional UPDATE moves it from 'free' to 'booked', and
  `meeting_booking.slot_id` is unique as a second line of defence;
- one booking per child per round (per guardian, when the round allows one per guardian):
  a unique key on (round, pupil, scope);
- nobody is in two meetings at once: each booking inserts one `MeetingTimeLock` row per
  person and minute it occupies (the guardians it concerns and the teacher), and
  (person, minute) is unique. Two overlapping bookings of one family share a minute of
  the same guardian, so the second insert fails, whichever comes first or both at once.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow

KINDS = ("report", "introduction", "other")
SLOT_FREE = "free"
SLOT_BOOKED = "booked"
SLOT_BLOCKED = "blocked"
REQUEST_OPEN = "open"
REQUEST_OFFERED = "offered"
REQUEST_BOOKED = "booked"
REQUEST_CLOSED = "closed"


class MeetingRound(BaseModel):
    """A round of meetings ("Rapportgesprekken februari") for some groups."""

    title = pw.CharField(max_length=200)
    kind = pw.CharField(
        max_length=12, default="report",
        constraints=[pw.Check("kind IN ('report','introduction','other')")])
    place = pw.CharField(max_length=200, default="")
    video_url = pw.CharField(max_length=500, default="")
    opens_at = pw.DateTimeField()  # sign-up opens (naive UTC)
    closes_at = pw.DateTimeField()  # sign-up closes: parents change or cancel until then
    one_per_guardian = pw.BooleanField(default=False)  # separated parents each book their own
    published_at = pw.DateTimeField(null=True)
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "meeting_round"

    @property
    def is_published(self):
        """True once parents have been told about the round."""
        return self.published_at is not None

    def is_open(self, now):
        """True while parents may book, change and cancel."""
        return self.is_published and self.opens_at <= now < self.closes_at


class MeetingRoundGroup(BaseModel):
    """A group whose parents are invited to a round."""

    round = pw.ForeignKeyField(MeetingRound, backref="round_groups", on_delete="CASCADE")
    group = pw.ForeignKeyField(Group, backref="+", on_delete="CASCADE")

    class Meta:
        table_name = "meeting_round_group"
        indexes = ((("round", "group"), True),)


class MeetingBlock(BaseModel):
    """A teacher's stretch of time on one day, cut into slots (with optional breaks)."""

    round = pw.ForeignKeyField(MeetingRound, backref="blocks", on_delete="CASCADE")
    teacher = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    day = pw.DateField()
    starts = pw.TimeField()  # local school time
    ends = pw.TimeField()
    slot_minutes = pw.IntegerField(constraints=[pw.Check("slot_minutes BETWEEN 5 AND 120")])
    gap_minutes = pw.IntegerField(
        default=0, constraints=[pw.Check("gap_minutes BETWEEN 0 AND 60")])
    break_starts = pw.TimeField(null=True)  # a longer break inside the block
    break_ends = pw.TimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "meeting_block"


class MeetingRequest(BaseModel):
    """A parent asks a teacher for an individual conversation; the teacher offers times."""

    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE")
    asked_by = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    teacher = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    reason = pw.CharField(max_length=500)
    status = pw.CharField(
        max_length=8, default=REQUEST_OPEN,
        constraints=[pw.Check("status IN ('open','offered','booked','closed')")])
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "meeting_request"
        indexes = ((("teacher", "status"), False),)


class MeetingSlot(BaseModel):
    """A time a teacher can meet: part of a round, or offered for one request."""

    round = pw.ForeignKeyField(MeetingRound, null=True, backref="slots", on_delete="CASCADE")
    block = pw.ForeignKeyField(MeetingBlock, null=True, backref="slots", on_delete="CASCADE")
    request = pw.ForeignKeyField(
        MeetingRequest, null=True, backref="slots", on_delete="CASCADE")
    teacher = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    starts_at = pw.DateTimeField()  # naive UTC
    ends_at = pw.DateTimeField()
    place = pw.CharField(max_length=200, default="")  # individual meetings; rounds have theirs
    status = pw.CharField(
        max_length=8, default=SLOT_FREE,
        constraints=[pw.Check("status IN ('free','booked','blocked')")])

    class Meta:
        table_name = "meeting_slot"
        indexes = (
            (("teacher", "starts_at"), False),
            (("round", "starts_at"), False),
        )


class MeetingBooking(BaseModel):
    """A slot taken for a child: by a parent, or by staff on a parent's behalf."""

    slot = pw.ForeignKeyField(MeetingSlot, unique=True, backref="+", on_delete="CASCADE")
    round = pw.ForeignKeyField(MeetingRound, null=True, backref="+", on_delete="CASCADE")
    request = pw.ForeignKeyField(
        MeetingRequest, null=True, unique=True, backref="+", on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE")
    # 0: for the whole family; a guardian's id in a round with one booking per guardian.
    scope = pw.IntegerField(default=0)
    booked_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    by_staff = pw.BooleanField(default=False)
    reminded_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "meeting_booking"
        indexes = ((("round", "pupil", "scope"), True),)

    @classmethod
    def with_details(cls):
        """Bookings with their slot, teacher, child, round and request, in one query."""
        Teacher = User.alias("teacher")  # noqa: N806 (a table alias)
        return (cls.select(cls, MeetingSlot, Teacher, Pupil, MeetingRound, MeetingRequest)
                .join(MeetingSlot).join(Teacher, on=(MeetingSlot.teacher == Teacher.id))
                .switch(cls).join(Pupil)
                .switch(cls).join(MeetingRound, pw.JOIN.LEFT_OUTER)
                .switch(cls).join(MeetingRequest, pw.JOIN.LEFT_OUTER)
                .order_by(MeetingSlot.starts_at))


class MeetingTimeLock(BaseModel):
    """One minute of one person's time taken by a booking; (person, minute) is unique."""

    booking = pw.ForeignKeyField(MeetingBooking, backref="+", on_delete="CASCADE")
    person = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE", index=False)
    minute = pw.IntegerField()  # minutes since 1970-01-01 UTC

    class Meta:
        table_name = "meeting_time_lock"
        indexes = ((("person", "minute"), True),)
