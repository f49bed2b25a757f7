"""Individual meetings: a parent asks a teacher, the teacher offers times, the parent picks.

Picking goes through `booking.book`, so the same guarantees hold: an offered time is
taken once, the request gets one booking, and neither the teacher nor the parent ends up
in two meetings at once.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Pupil, School, User
from schoolportal.core.prepared import prepared
from schoolportal.meetings import booking, mails
from schoolportal.meetings.models import (
    REQUEST_BOOKED,
    REQUEST_OFFERED,
    REQUEST_OPEN,
    SLOT_FREE,
    MeetingBooking,
    MeetingRequest,
    MeetingSlot,
)
from schoolportal.meetings.rounds import to_utc

MAX_OFFERED = 3


def ask(parent, pupil, teacher, reason):
    """Store the request and tell the teacher."""
    with write_transaction():
        request = MeetingRequest.create(pupil=pupil, asked_by=parent, teacher=teacher,
                                        reason=reason)
        outbox.send(teacher, "meetings/request",
                    _l("%(parent)s asks for a conversation about %(child)s",
                       parent=parent.display_name, child=pupil.first_name),
                    meeting_request=request, parent=parent, pupil=pupil, school=School.current(),
                    url=outbox.absolute_url("meetings.request_page", request_id=request.id))
    return request


def offer(request, local_starts, minutes, place):
    """Add the times the teacher offers (local datetimes) and tell the parent; returns them."""
    length = timedelta(minutes=minutes)
    rows = [{"request": request.id, "teacher": request.teacher_id, "starts_at": to_utc(s),
             "ends_at": to_utc(s + length), "place": place} for s in local_starts]
    with write_transaction():
        MeetingSlot.insert_many(rows).execute()
        MeetingRequest.update(status=REQUEST_OFFERED).where(
            (MeetingRequest.id == request.id) & (MeetingRequest.status == REQUEST_OPEN)).execute()
        parent = User.get_by_id(request.asked_by_id)
        outbox.send(parent, "meetings/offer",
                    _l("%(teacher)s offers times for a conversation",
                       teacher=request.teacher.display_name),
                    meeting_request=request, starts=[r["starts_at"] for r in rows], minutes=minutes,
                    place=place, school=School.current(),
                    url=outbox.absolute_url("meetings.request_page", request_id=request.id))
    return rows


def pick(request, slot, parent):
    """Book one of the offered times; raises booking.BookingRefused."""

    def tell(bookings):
        """Confirm to the parent and tell the teacher, in the booking's transaction."""
        mails.confirm(bookings, parent)
        outbox.send(request.teacher, "meetings/picked",
                    _l("%(parent)s picked a time for a conversation",
                       parent=parent.display_name),
                    meeting_request=request, parent=parent, pupil=request.pupil, slot=slot,
                    school=School.current(),
                    url=outbox.absolute_url("meetings.request_page", request_id=request.id))

    return booking.book(slot, request.pupil_id, parent, scope=request.asked_by_id, after=tell)


def requests_for(user):
    """The requests a parent made, or those a teacher received; newest first."""
    return list((_requests_made_by if user.is_parent else _requests_received_by)(user.id))


def _requests_of(who):
    Teacher = User.alias("teacher")  # noqa: N806 (a table alias)
    return (MeetingRequest.select(MeetingRequest, Pupil, Teacher).join(Pupil)
            .switch(MeetingRequest).join(Teacher, on=(MeetingRequest.teacher == Teacher.id))
            .where(who).order_by(MeetingRequest.created_at.desc()).limit(50))


@prepared
def _requests_made_by(user_id):
    return _requests_of(MeetingRequest.asked_by == user_id)


@prepared
def _requests_received_by(user_id):
    return _requests_of(MeetingRequest.teacher == user_id)


def offered_slots(request, now):
    """The free future times offered for a request."""
    return list(MeetingSlot.select().where(
        (MeetingSlot.request == request.id) & (MeetingSlot.status == SLOT_FREE)
        & (MeetingSlot.starts_at > now)).order_by(MeetingSlot.starts_at))


def booking_of(request):
    """The request's booking with its slot, or None."""
    if request.status != REQUEST_BOOKED:
        return None
    return (MeetingBooking.select(MeetingBooking, MeetingSlot).join(MeetingSlot)
            .where(MeetingBooking.request == request.id).first())


def waiting(user):
    """Requests waiting for this teacher, or offers waiting for a parent (a prepared query:
    every page's menu counts them)."""
    return (_offers_waiting_for if user.is_parent else _requests_waiting_for)(user.id)


@prepared
def _offers_waiting_for(user_id):
    return MeetingRequest.select(MeetingRequest.id).where(
        (MeetingRequest.asked_by == user_id) & (MeetingRequest.status == REQUEST_OFFERED))


@prepared
def _requests_waiting_for(user_id):
    return MeetingRequest.select(MeetingRequest.id).where(
        (MeetingRequest.teacher == user_id) & (MeetingRequest.status == REQUEST_OPEN))
