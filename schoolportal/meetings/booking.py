"""Booking meeting slots: the rules that must hold when 200 parents click at 19:00.

Nothing here checks first and inserts afterwards. One transaction does, in this order:
1. a conditional UPDATE takes the slot ('free' -> 'booked'); 0 rows means someone else
   has it (or the teacher blocked it): "net bezet";
2. the child's earlier booking in the same round (or request) is released, so booking
   another time is a change that succeeds or fails as a whole;
3. the booking row is inserted: unique keys on the slot and on (round, pupil, scope);
4. one time-lock row per minute is inserted for the teacher and for every guardian the
   meeting concerns: (person, minute) is unique, so a family can never hold two
   overlapping meetings, in whatever order or however simultaneously they are booked.
Any failure rolls the whole transaction back. On PostgreSQL the loser of a race waits for
the winner's commit and then fails on the same key; on SQLite writers queue (BEGIN
IMMEDIATE). Rows are inserted in sorted order so PostgreSQL transactions cannot deadlock
on each other's locks; if the server still reports one, the attempt is repeated.
"""

from dataclasses import dataclass
from datetime import datetime

import peewee as pw
from flask_babel import lazy_gettext as _l

from schoolportal.core.database import write_transaction
from schoolportal.core.models import Guardianship, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.meetings.models import (
    REQUEST_BOOKED,
    REQUEST_OFFERED,
    SLOT_BLOCKED,
    SLOT_BOOKED,
    SLOT_FREE,
    MeetingBooking,
    MeetingRequest,
    MeetingSlot,
    MeetingTimeLock,
)

EPOCH = datetime(1970, 1, 1)
DEADLOCK_RETRIES = 3
TAKEN, FAMILY_BUSY, CHILD_BOOKED, CLOSED = "taken", "family_busy", "child_booked", "closed"
MESSAGES = {
    TAKEN: _l("Just taken, choose another time."),
    FAMILY_BUSY: _l("At that time you already have another meeting. Choose another time."),
    CHILD_BOOKED: _l("This child already has a meeting in this round. Refresh the page and "
                     "choose again."),
    CLOSED: _l("Booking is not possible (any more) for this time."),
}


class BookingRefused(Exception):
    """The database refused the booking; `reason` says why, `message` tells the parent."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        """The translated explanation."""
        return str(MESSAGES[self.reason])


@dataclass(frozen=True)
class BookedMeeting:
    """A booked meeting as the calendar feed and the pages need it."""

    uid: str
    booking_id: int
    start: datetime  # naive UTC
    end: datetime
    place: str
    video_url: str
    title: str
    teacher: str
    child: str


def minutes_between(starts_at, ends_at):
    """The minute numbers (since 1970, UTC) a meeting occupies."""
    first = int((starts_at - EPOCH).total_seconds() // 60)
    last = int((ends_at - EPOCH).total_seconds() + 59) // 60
    return range(first, max(last, first + 1))


def people_concerned(pupil_id, scope):
    """The guardians a booking occupies: the one it is for, or all guardians of the child."""
    if scope:
        return [scope]
    return sorted(row.guardian_id for row in _guardians_of(pupil_id))


@prepared
def _guardians_of(pupil_id):
    return Guardianship.select(Guardianship.guardian).where(Guardianship.pupil == pupil_id)


def book(slot, pupil_id, booked_by, scope=0, by_staff=False, now=None, after=None):
    """Take a slot for a child (moving its booking in the same round); returns the booking.

    Raises BookingRefused. `slot` is a MeetingSlot with its round or request loaded;
    parents may book only while the round is open, staff at any time before the meeting.
    `after(bookings)` runs inside the transaction (to queue the mails about it).
    """
    return book_all([(slot, pupil_id, scope)], booked_by, by_staff, now, after)[0]


def book_all(items, booked_by, by_staff=False, now=None, after=None):
    """Book several (slot, pupil id, scope) at once (back-to-back times): all or nothing."""
    now = now or utcnow()
    for slot, _pupil_id, _scope in items:
        if slot.starts_at <= now or (not by_staff and not _open_for_parents(slot, now)):
            raise BookingRefused(CLOSED)
    people = {(pupil_id, scope): people_concerned(pupil_id, scope)
              for _slot, pupil_id, scope in items}
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with write_transaction():
                bookings = [_book_in_transaction(slot, pupil_id, booked_by, scope, by_staff,
                                                 people[(pupil_id, scope)])
                            for slot, pupil_id, scope in items]
                if after is not None:
                    after(bookings)
                return bookings
        except pw.OperationalError as error:  # PostgreSQL: deadlock detected
            if "deadlock" not in str(error).lower() or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _open_for_parents(slot, now):
    """Parents book in an open round, or from the times offered for their request."""
    if slot.round_id:
        return slot.round.is_open(now)
    return slot.request_id is not None


def _book_in_transaction(slot, pupil_id, booked_by, scope, by_staff, people):
    """The four steps of the module docstring; raising rolls everything back."""
    taken = MeetingSlot.update(status=SLOT_BOOKED).where(
        (MeetingSlot.id == slot.id) & (MeetingSlot.status == SLOT_FREE)).execute()
    if taken != 1:
        raise BookingRefused(TAKEN)
    if slot.request_id:
        old = _release(MeetingBooking.request == slot.request_id)
        moved = MeetingRequest.update(status=REQUEST_BOOKED).where(
            (MeetingRequest.id == slot.request_id)
            & MeetingRequest.status.in_([REQUEST_OFFERED, REQUEST_BOOKED])).execute()
        if moved != 1:
            raise BookingRefused(CLOSED)
    else:
        old = _release((MeetingBooking.round == slot.round_id)
                       & (MeetingBooking.pupil == pupil_id) & (MeetingBooking.scope == scope))
    # No savepoints here: a refusal rolls back the transaction of book_all (a savepoint
    # itself when book_all runs inside another transaction), so each failed insert needs
    # only its own except clause to be told apart from the others.
    try:
        booking = MeetingBooking.create(
            slot=slot.id, round=slot.round_id, request=slot.request_id, pupil=pupil_id,
            scope=scope, booked_by=booked_by, by_staff=by_staff)
    except pw.IntegrityError:
        raise BookingRefused(CHILD_BOOKED) from None
    booking.replaced = old is not None  # a change of time: the mail says so
    minutes = minutes_between(slot.starts_at, slot.ends_at)
    _lock(booking, [slot.teacher_id], minutes, TAKEN)
    _lock(booking, [p for p in people if p != slot.teacher_id], minutes, FAMILY_BUSY)
    return booking


def _lock(booking, people, minutes, reason):
    """Insert the time-lock rows of these people, in key order; a clash refuses the booking."""
    rows = [{"booking": booking.id, "person": person, "minute": minute}
            for person in sorted(set(people)) for minute in minutes]
    if not rows:
        return
    try:
        MeetingTimeLock.insert_many(rows).execute()
    except pw.IntegrityError:
        raise BookingRefused(reason) from None


def _release(condition):
    """Delete the booking matching the condition (its locks go with it) and free its slot."""
    old = MeetingBooking.select(MeetingBooking.id, MeetingBooking.slot).where(condition).first()
    if old is None:
        return None
    if MeetingBooking.delete().where(MeetingBooking.id == old.id).execute():
        MeetingSlot.update(status=SLOT_FREE).where(
            (MeetingSlot.id == old.slot_id) & (MeetingSlot.status == SLOT_BOOKED)).execute()
    return old


def cancel(booking):
    """Cancel a booking: the slot is free again. False when it was cancelled already.

    Call inside the transaction that also queues the mail about it.
    """
    with write_transaction():
        if not MeetingBooking.delete().where(MeetingBooking.id == booking.id).execute():
            return False
        MeetingSlot.update(status=SLOT_FREE).where(
            (MeetingSlot.id == booking.slot_id) & (MeetingSlot.status == SLOT_BOOKED)).execute()
        if booking.request_id:
            MeetingRequest.update(status=REQUEST_OFFERED).where(
                (MeetingRequest.id == booking.request_id)
                & (MeetingRequest.status == REQUEST_BOOKED)).execute()
    return True


def block(slot):
    """Take a free slot out of the grid; False when it is booked meanwhile."""
    return MeetingSlot.update(status=SLOT_BLOCKED).where(
        (MeetingSlot.id == slot.id) & (MeetingSlot.status == SLOT_FREE)).execute() == 1


def unblock(slot):
    """Put a blocked slot back in the grid."""
    return MeetingSlot.update(status=SLOT_FREE).where(
        (MeetingSlot.id == slot.id) & (MeetingSlot.status == SLOT_BLOCKED)).execute() == 1


def of_user(user):
    """The condition for the bookings a user attends: as guardian in scope, or as teacher."""
    return _of_guardian(user.id) if user.is_parent else _of_teacher(user.id)


def _of_teacher(user_id):
    return MeetingSlot.teacher == user_id


def _of_guardian(user_id):
    children = Guardianship.select(Guardianship.pupil).where(Guardianship.guardian == user_id)
    return MeetingBooking.pupil.in_(children) & MeetingBooking.scope.in_([0, user_id])


def next_booked_by(user, since, count):
    """`booked_by(user, since)`, its first `count` rows (a prepared query: the home card)."""
    return (_next_of_guardian if user.is_parent else _next_of_teacher)(user.id, since, count)


@prepared
def _next_of_guardian(user_id, since, count):
    return (MeetingBooking.with_details()
            .where(_of_guardian(user_id) & (MeetingSlot.ends_at >= since)).limit(count))


@prepared
def _next_of_teacher(user_id, since, count):
    return (MeetingBooking.with_details()
            .where(_of_teacher(user_id) & (MeetingSlot.ends_at >= since))
            .limit(count))


def bookings_for(user, since=None):
    """The meetings this user has booked or will hold, for the calendar feed and pages."""
    return describe_all(booked_by(user, since))


def booked_by(user, since=None):
    """The bookings behind `bookings_for`, soonest first (a query: the home card reads it with
    the other cards' lists, see describe_all)."""
    query = MeetingBooking.with_details().where(of_user(user))
    if since is not None:
        query = query.where(MeetingSlot.ends_at >= since)
    return query


def describe_all(rows):
    """A BookedMeeting for each booking row of `booked_by`."""
    return [describe(row) for row in rows]


def describe(row):
    """A BookedMeeting for one booking read with `MeetingBooking.with_details`."""
    slot = row.slot
    meeting_round = row.round if row.round_id else None
    title = meeting_round.title if meeting_round else str(_l("Conversation"))
    return BookedMeeting(
        uid=f"meeting-booking-{row.id}@schoolportal", booking_id=row.id,
        start=slot.starts_at, end=slot.ends_at,
        place=(meeting_round.place if meeting_round else slot.place) or "",
        video_url=meeting_round.video_url if meeting_round else "",
        title=title, teacher=slot.teacher.display_name, child=row.pupil.full_name)
