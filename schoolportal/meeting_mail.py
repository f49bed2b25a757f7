"""Mail about meetings: confirmations (with a calendar file), cancellations, reminders.

Confirmations and cancellations are about an appointment the recipient has or just lost,
so they go whatever the mail choice; the reminder the day before respects "no email".
"""

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale, format_datetime
from flask_babel import lazy_gettext as _l

from . import booking, outbox, worker
from .database import write_transaction
from .models import Guardianship, School, User, utcnow
from .models.meetings import MeetingBooking, MeetingSlot
from .rounds import school_zone


def guardians_of(pupil_ids):
    """The active guardian accounts per pupil id, in one query."""
    found = {}
    rows = (Guardianship.select(Guardianship, User).join(User)
            .where(Guardianship.pupil.in_(list(pupil_ids)) & (User.active == True)))  # noqa: E712
    for row in rows:
        found.setdefault(row.pupil_id, []).append(row.guardian)
    return found


def recipients(row, guardians, extra=None):
    """Who hears about a booking: its guardian (one-per-guardian rounds) or all guardians."""
    people = [g for g in guardians.get(row.pupil_id, []) if not row.scope or g.id == row.scope]
    if extra is not None and extra.id not in {p.id for p in people}:
        people.append(extra)
    return people


def confirm(bookings, booked_by):
    """Queue the confirmations: to the parent who booked, or all guardians when staff did."""
    changed = {b.id for b in bookings if getattr(b, "replaced", False)}
    rows = list(booking.booking_details().where(
        MeetingBooking.id.in_([b.id for b in bookings])))
    guardians = guardians_of({r.pupil_id for r in rows}) if not booked_by.is_parent else {}
    school = School.current()
    for row in rows:
        meeting = booking.describe(row)
        people = [booked_by] if booked_by.is_parent else recipients(row, guardians)
        for person in people:
            outbox.send(person, "meeting_confirmed",
                        _l("Meeting booked: %(when)s", when=_when(meeting, person)),
                        meeting=meeting, changed=row.id in changed,
                        by_staff=not booked_by.is_parent, school=school,
                        ics_url=outbox.absolute_url("meetings.booking_ics", booking_id=row.id),
                        url=outbox.absolute_url("meetings.index"))


def cancelled(row, reason, cancelled_by):
    """Queue the news that staff cancelled a booking, with their reason, to its guardians."""
    meeting = booking.describe(row)
    school = School.current()
    for person in recipients(row, guardians_of([row.pupil_id])):
        outbox.send(person, "meeting_cancelled",
                    _l("Meeting cancelled: %(when)s", when=_when(meeting, person)),
                    meeting=meeting, reason=reason, cancelled_by=cancelled_by, school=school,
                    url=outbox.absolute_url("meetings.index"))


def cancelled_by_parent(row, parent):
    """Tell the teacher that a parent cancelled an individual conversation."""
    meeting = booking.describe(row)
    teacher = row.slot.teacher
    outbox.send(teacher, "meeting_cancelled",
                _l("Meeting cancelled: %(when)s", when=_when(meeting, teacher)),
                meeting=meeting, reason="", cancelled_by=parent, school=School.current(),
                url=outbox.absolute_url("meetings.request_page", request_id=row.request_id))


def _when(meeting, person):
    """The meeting's start as the recipient reads it."""
    with force_locale(person.language or "nl"):
        return format_datetime(meeting.start, "EEEE d MMMM HH:mm")


@worker.daily_job("meeting_reminders")
def send_reminders(today=None):
    """Remind the guardians of tomorrow's meetings (once per booking); returns how many."""
    today = today or worker.school_today()
    zone = school_zone()
    start = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
    start_utc = start.astimezone(UTC).replace(tzinfo=None)
    end_utc = (start + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None)
    rows = list(booking.booking_details().where(
        (MeetingSlot.starts_at >= start_utc) & (MeetingSlot.starts_at < end_utc)
        & MeetingBooking.reminded_at.is_null()))
    guardians = guardians_of({r.pupil_id for r in rows})
    school, sent = School.current(), 0
    for row in rows:
        with write_transaction():
            claimed = MeetingBooking.update(reminded_at=utcnow()).where(
                (MeetingBooking.id == row.id) & MeetingBooking.reminded_at.is_null()).execute()
            if not claimed:
                continue
            meeting = booking.describe(row)
            for person in recipients(row, guardians):
                if person.mail_notifications == "never":
                    continue
                outbox.send(person, "meeting_reminder",
                            _l("Tomorrow: meeting at %(time)s", time=_when(meeting, person)),
                            meeting=meeting, school=school,
                            url=outbox.absolute_url("meetings.index"))
                sent += 1
    return sent


def ics(meetings, name):
    """An iCalendar file (bytes) with these BookedMeetings."""
    from icalendar import Calendar, Event  # only needed here

    calendar = Calendar()
    calendar.add("prodid", "-//schoolportal//meetings//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = datetime.now(UTC)
    for meeting in meetings:
        event = Event()
        event.add("uid", meeting.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.start.replace(tzinfo=UTC))
        event.add("dtend", meeting.end.replace(tzinfo=UTC))
        event.add("summary", f"{meeting.title}: {meeting.child} · {meeting.teacher}")
        if meeting.place or meeting.video_url:
            event.add("location", meeting.place or meeting.video_url)
        if meeting.video_url:
            event.add("url", meeting.video_url)
        calendar.add_component(event)
    return calendar.to_ical()
