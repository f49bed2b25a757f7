"""Calendar files: the private feed (RFC 5545, built with `icalendar`) and reading .ics imports.

The feed writes activities in the school's time zone with one VTIMEZONE for
Europe/Amsterdam, all-day ranges with an exclusive DTEND, and UIDs made from the activity's
id, so an edit replaces the event in the phone's calendar instead of adding a second one.

An import file is untrusted: it is limited in size and number of events before the parser
sees it, and any event without a title or dates makes the whole file refused, so a
broken file changes nothing.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import lazy_gettext as _l

from schoolportal.calendar import service
from schoolportal.core import clock

SCHOOL_TZID = "Europe/Amsterdam"
SCHOOL_ZONE = ZoneInfo(SCHOOL_TZID)
PRODID = "-//schoolportal//jaarkalender//NL"
REFRESH = timedelta(hours=6)
# Europe/Amsterdam as Apple and Google write it: the EU summer-time rule, valid from 1996 on.
AMSTERDAM_VTIMEZONE = "\r\n".join([
    "BEGIN:VTIMEZONE", f"TZID:{SCHOOL_TZID}", "X-LIC-LOCATION:Europe/Amsterdam",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19960331T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19961027T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE", "",
])

MAX_BYTES = 1024 * 1024  # a school's year planning is a few dozen kB
MAX_EVENTS = 500  # a school year has a few hundred activities at most
TITLE_MAX, PLACE_MAX, DESCRIPTION_MAX = 200, 200, 5000


# --- The feed ----------------------------------------------------------------------------

def build_feed(name, activities, bookings, *, host, activity_url):
    """The feed as bytes: activities (with `.groups`) and meeting bookings, in one calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", SCHOOL_TZID)
    # An explicit vDuration: older icalendar versions would write a bare timedelta wrongly.
    calendar.add("refresh-interval", icalendar.vDuration(REFRESH, params={"VALUE": "DURATION"}))
    calendar.add("x-published-ttl", "PT6H")
    calendar.add_component(icalendar.Timezone.from_ical(AMSTERDAM_VTIMEZONE))
    for activity in activities:
        calendar.add_component(activity_event(activity, host, activity_url(activity)))
    for booking in bookings:
        calendar.add_component(booking_event(booking, host))
    return calendar.to_ical()


def activity_event(activity, host, page_url):
    """One activity as a VEVENT whose UID stays the same through every edit."""
    event = icalendar.Event()
    event.add("uid", f"activity-{activity.id}@{host}")
    event.add("dtstamp", _as_utc(activity.updated_at))
    event.add("created", _as_utc(activity.created_at))
    event.add("last-modified", _as_utc(activity.updated_at))
    event.add("sequence", activity.sequence)
    event.add("summary", activity.title)
    if activity.all_day:
        event.add("dtstart", activity.starts_on)
        event.add("dtend", activity.ends_on + timedelta(days=1))  # DTEND is exclusive
        event.add("transp", "TRANSPARENT")  # a holiday does not make anyone busy
    else:
        event.add("dtstart", datetime.combine(activity.starts_on, activity.starts_at, SCHOOL_ZONE))
        event.add("dtend", datetime.combine(activity.ends_on, activity.ends_at, SCHOOL_ZONE))
    if activity.place:
        event.add("location", activity.place)
    link = activity.link_url if activity.link_url.startswith("http") else page_url
    event.add("description", "\n\n".join(p for p in (activity.description, link) if p))
    event.add("url", link)
    if activity.groups:
        event.add("categories", [g.name for g in activity.groups])
    return event


def booking_event(booking, host):
    """A meeting booking (schoolportal.meetings.booking.BookedMeeting) as a VEVENT.

    Read leniently, so the feed survives small changes there: uid, title, start or
    starts_at, end or ends_at, place, teacher, child, video_url. Naive times are UTC.
    """
    def value(name, default=None):
        """One field of the booking, whether it is an object or a dict."""
        if isinstance(booking, dict):
            return booking.get(name, default)
        return getattr(booking, name, default)

    event = icalendar.Event()
    event.add("uid", value("uid") or f"booking-{value('booking_id')}@{host}")
    event.add("dtstamp", clock.utc_now())
    event.add("summary", value("title") or str(_l("Meeting")))
    event.add("dtstart", _in_school_zone(value("start") or value("starts_at")))
    event.add("dtend", _in_school_zone(value("end") or value("ends_at")))
    if value("place"):
        event.add("location", value("place"))
    lines = [str(_l("With %(name)s", name=value("teacher"))) if value("teacher") else "",
             str(_l("About %(name)s", name=value("child"))) if value("child") else "",
             value("video_url") or ""]
    if any(lines):
        event.add("description", "\n".join(line for line in lines if line))
    return event


def _as_utc(moment):
    """A stored naive-UTC timestamp as an aware one."""
    return (moment or datetime(2000, 1, 1)).replace(tzinfo=UTC)


def _in_school_zone(moment):
    """An aware or naive-UTC moment in Europe/Amsterdam."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SCHOOL_ZONE)


# --- Reading an import -------------------------------------------------------------------

class ImportFileError(ValueError):
    """The file cannot be imported at all; `message` says why (lazy, translatable)."""

    def __init__(self, message):
        """Keep the message for the page."""
        super().__init__(str(message))
        self.message = message


@dataclass
class ImportedEvent:
    """One activity read from a file; `key` is its UID's hash."""

    key: str
    title: str
    starts_on: date
    ends_on: date
    starts_at: time | None
    ends_at: time | None
    place: str
    description: str

    @property
    def all_day(self):
        """True when the event has no times."""
        return self.starts_at is None

    def fields(self):
        """The Activity fields this event sets."""
        values = asdict(self)
        del values["key"]
        return values

    def to_json(self):
        """A dict that json can store."""
        return {k: v.isoformat() if isinstance(v, date | time) else v
                for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, values):
        """Back from `to_json`."""
        values = dict(values)
        for name in ("starts_on", "ends_on"):
            values[name] = date.fromisoformat(values[name])
        for name in ("starts_at", "ends_at"):
            values[name] = time.fromisoformat(values[name]) if values[name] else None
        return cls(**values)


@dataclass
class ImportPlan:
    """What a file holds: events, or errors that refuse the whole file; warnings to show."""

    events: list
    errors: list
    warnings: list

    @property
    def ok(self):
        """True when the file can be imported."""
        return bool(self.events) and not self.errors


def read_limited(stream):
    """The uploaded bytes, refusing files larger than MAX_BYTES before reading them all."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_l("The file is larger than %(kb)d kB. A school's year planning "
                                 "is much smaller: check that you chose the right file.",
                                 kb=MAX_BYTES // 1024))
    return data


def read_import(data):
    """The events in an .ics file's bytes, or the errors that refuse it; nothing is saved."""
    text = _decode(data)
    count = text.upper().count("BEGIN:VEVENT")
    if count > MAX_EVENTS:
        raise ImportFileError(_l("The file holds %(count)d activities; import at most %(max)d "
                                 "at a time.", count=count, max=MAX_EVENTS))
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as error:  # the parser is strict and third-party: any failure = unreadable
        raise ImportFileError(_l("The file cannot be read as a calendar (.ics): it is damaged "
                                 "or incomplete.")) from error
    plan, seen = ImportPlan([], [], []), set()
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        _read_event(component, number, plan, seen)
    if not plan.events and not plan.errors:
        raise ImportFileError(_l("The file holds no activities."))
    return plan


def _decode(data):
    """The file as text: UTF-8 (with or without BOM), else Windows-1252; must be a calendar."""
    if not data or not data.strip():
        raise ImportFileError(_l("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR") or "\x00" in text:
        raise ImportFileError(_l("This is not a calendar file (.ics). Export the year planning "
                                 "from your calendar program as .ics and upload that file."))
    return text


def _read_event(component, number, plan, seen):
    """Add one VEVENT to the plan as an event, an error or a skip with a warning."""
    title = _one_line(component.get("summary", ""))
    name = _l("Activity %(num)d (“%(title)s”)", num=number, title=title[:60] or "?")
    if str(component.get("status", "")).upper() == "CANCELLED":
        plan.warnings.append(_l("%(name)s is cancelled and is not imported.", name=name))
        return
    if component.get("recurrence-id") is not None:
        plan.warnings.append(_l("%(name)s changes one date of a repeating activity and is not "
                                "imported.", name=name))
        return
    try:
        event, problem = _event_from(component, title)
    except Exception:  # a broken value in an untrusted file: report it, do not crash
        event, problem = None, _l("its dates cannot be read.")
    if problem is None and event.key in seen:
        problem = _l("it appears twice in the file (same UID).")
    if problem is not None:
        plan.errors.append(_l("%(name)s: %(problem)s", name=name, problem=problem))
        return
    seen.add(event.key)
    if component.get("rrule") is not None or component.get("rdate") is not None:
        plan.warnings.append(_l("%(name)s repeats; only its first date is imported.", name=name))
    if len(event.description) > DESCRIPTION_MAX:
        event.description = event.description[:DESCRIPTION_MAX]
        plan.warnings.append(_l("The description of %(name)s is shortened to %(max)d "
                                "characters.", name=name, max=DESCRIPTION_MAX))
    plan.events.append(event)


def _event_from(component, title):
    """(ImportedEvent, None), or (None, why not) for one VEVENT."""
    if not title:
        return None, _l("it has no title (SUMMARY).")
    if len(title) > TITLE_MAX:
        return None, _l("its title is longer than %(max)d characters.", max=TITLE_MAX)
    if component.get("dtstart") is None:
        return None, _l("it has no start date (DTSTART).")
    start, end = _start_and_end(component)
    if not isinstance(start, date) or not isinstance(end, date):
        return None, _l("its dates cannot be read.")
    if isinstance(start, datetime) != isinstance(end, datetime):
        return None, _l("its start and end are not both dates or both times.")
    if isinstance(start, datetime):
        start, end = _local(start), _local(end)
        if end == start:
            end = start + timedelta(hours=1)  # a moment without length: show it as an hour
        when = (start.date(), end.date(), start.time(), end.time())
    else:
        when = (start, end - timedelta(days=1) if end != start else start, None, None)
    problem = service.when_problem(*when)
    if problem is not None:
        return None, problem
    place = _one_line(component.get("location", ""))
    if len(place) > PLACE_MAX:
        return None, _l("its place is longer than %(max)d characters.", max=PLACE_MAX)
    uid = str(component.get("uid", "")) or f"{title}|{when[0]}|{when[2]}"
    return ImportedEvent(service.import_key(uid), title, *when, place=place,
                         description=_text(component.get("description", ""))), None


def _start_and_end(component):
    """DTSTART and the (exclusive) end from DTEND or DURATION; raw text where unreadable."""
    start = component.decoded("dtstart")
    if not isinstance(start, date) or not service.FIRST_YEAR <= start.year <= 9000:
        return start, start  # unreadable, or too far off to add a day to
    if component.get("dtend") is not None:
        return start, component.decoded("dtend")
    if component.get("duration") is not None:
        return start, start + component.decoded("duration")
    return start, start if isinstance(start, datetime) else start + timedelta(days=1)


def _local(moment):
    """A DTSTART/DTEND time on the school's clock (floating times already are)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(SCHOOL_ZONE)
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def _one_line(value):
    """Text for a title or place: one line, no control characters, trimmed."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())


def _text(value):
    """Text for a description: lines kept, other control characters dropped."""
    text = str(value).replace("\r\n", "\n")
    return "".join(c for c in text if c.isprintable() or c == "\n").strip()
