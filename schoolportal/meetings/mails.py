"""Mail about meetings: confirmations (with a calendar file), cancellations, reminders.

Confirmations and cancellations are about an appointment the recipient has or just lost,
so they go whatever the mail choice; the reminder the day before respects "no email".
"""

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from schoolportal.core import clock, outbox, worker
from schoolportal.core.database import write_transaction
from schoolportal.core.i18n import formatted
from schoolportal.core.models import Guardianship, School, User, utcnow
from schoolportal.meetings import booking
from schoolportal.meetings.models import MeetingBooking, MeetingSlot
from schoolportal.meetings.rounds import school_zone


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
    """Queue the confirmations: to the parent who booked, or all guardians when staff did.

    Only the ids go into the outbox here; the worker renders the mail (`confirmation`), so
    a tap at 19:00 holds the write lock for as short as possible.
    """
    guardians = guardians_of({b.pupil_id for b in bookings}) if not booked_by.is_parent else {}
    for row in bookings:
        people = [booked_by] if booked_by.is_parent else recipients(row, guardians)
        for person in people:
            outbox.send_later(person, "meetings/confirmed", booking=row.id, slot=row.slot_id,
                              pupil=row.pupil_id, recipient=person.id,
                              changed=bool(getattr(row, "replaced", False)),
                              by_staff=not booked_by.is_parent)


def confirmation(ids):
    """Render a queued confirmation (in the worker); None once the booking is gone."""
    row = MeetingBooking.with_details().where(
        (MeetingBooking.id == ids["booking"]) & (MeetingBooking.slot == ids["slot"])
        & (MeetingBooking.pupil == ids["pupil"])).first()  # SQLite may reuse a deleted id
    person = User.get_or_none(User.id == ids["recipient"])
    if row is None or person is None:
        return None  # cancelled or changed meanwhile: that news has its own mail
    meeting = booking.describe(row)
    return person, _l("Meeting booked: %(when)s", when=_when(meeting, person)), {
        "meeting": meeting, "changed": ids["changed"], "by_staff": ids["by_staff"],
        "school": School.current(),
        "ics_url": outbox.absolute_url("meetings.booking_ics", booking_id=row.id),
        "url": outbox.absolute_url("meetings.index")}


def cancelled(row, reason, cancelled_by):
    """Queue the news that staff cancelled a booking, with their reason, to its guardians."""
    meeting = booking.describe(row)
    school = School.current()
    for person in recipients(row, guardians_of([row.pupil_id])):
        outbox.send(person, "meetings/cancelled",
                    _l("Meeting cancelled: %(when)s", when=_when(meeting, person)),
                    meeting=meeting, reason=reason, cancelled_by=cancelled_by, school=school,
                    url=outbox.absolute_url("meetings.index"))


def cancelled_by_parent(row, parent):
    """Tell the teacher that a parent cancelled an individual conversation."""
    meeting = booking.describe(row)
    teacher = row.slot.teacher
    outbox.send(teacher, "meetings/cancelled",
                _l("Meeting cancelled: %(when)s", when=_when(meeting, teacher)),
                meeting=meeting, reason="", cancelled_by=parent, school=School.current(),
                url=outbox.absolute_url("meetings.request_page", request_id=row.request_id))


def _when(meeting, person):
    """The meeting's start as the recipient reads it."""
    with force_locale(person.language or "nl"):
        return formatted(meeting.start, "datetime_long")


def send_reminders(today=None):
    """Remind the guardians of tomorrow's meetings (once per booking); returns how many."""
    today = today or worker.school_today()
    zone = school_zone()
    start = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
    start_utc = start.astimezone(UTC).replace(tzinfo=None)
    end_utc = (start + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None)
    rows = list(MeetingBooking.with_details().where(
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
                outbox.send(person, "meetings/reminder",
                            _l("Tomorrow: meeting at %(time)s", time=_when(meeting, person)),
                            meeting=meeting, school=school,
                            url=outbox.absolute_url("meetings.index"))
                sent += 1
    return sent


def ics(meetings, name):
    """An iCalendar file (bytes) with these BookedMeetings."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//schoolportal//meetings//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = clock.utc_now()
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
