"""The private ICS feed (parsed back with icalendar) and the .ics import, hostile files included."""

import io
import re
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from schoolportal.calendar import ics
from schoolportal.calendar.models import Activity, ActivityGroup, CalendarFeed, CalendarImport
from schoolportal.core.extensions import db
from schoolportal.core.models import User
from tests.calendar.test_calendar import activity_form, add_activity, count, post_form
from tests.support.web import csrf_token_from

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FEED = re.compile(r"/agenda/([A-Za-z0-9_-]{40,})\.ics")


def feed_token(client):
    """Make a new feed link through the page, as a user would; returns the token."""
    response = post_form(client, "/agenda/feed", {}, page_url="/agenda/feed")
    assert response.status_code == 302
    match = FEED.search(client.get("/agenda/feed").get_data(as_text=True))
    assert match, "the new link is not on the page"
    return match.group(1)


def parsed_feed(client, token):
    """GET the feed and parse it with icalendar."""
    response = client.get(f"/agenda/{token}.ics")
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.get_data()), response.get_data()


def events_by_title(calendar):
    """The VEVENTs of a parsed calendar by their SUMMARY."""
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def planned(app):
    """A holiday range, a winter and a summer morning for all, and a Groep 1/2A-only party."""
    return {
        "holiday": add_activity(app, "Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
        "sint": add_activity(app, "Sinterklaasviering", date(2026, 12, 4), start=time(8, 30),
                             end=time(12), place="Speelzaal"),
        "summer": add_activity(app, "Koningsspelen", date(2027, 4, 23), start=time(8, 30),
                               end=time(14)),
        "kleuters": add_activity(app, "Kleuterfeest", date(2026, 12, 9), groups=["Groep 1/2A"],
                                 start=time(9), end=time(11)),
    }


# --- The feed ---------------------------------------------------------------------------------

def test_feed_has_events_time_zone_all_day_ranges_and_uids(planned, parent):
    calendar, raw = parsed_feed(parent, feed_token(parent))
    assert str(calendar["version"]) == "2.0" and "schoolportal" in str(calendar["prodid"])
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/Amsterdam"]
    events = events_by_title(calendar)
    assert set(events) == {"Herfstvakantie", "Sinterklaasviering", "Koningsspelen",
                           "Kleuterfeest"}
    holiday = events["Herfstvakantie"]
    assert holiday["dtstart"].params["VALUE"] == "DATE"
    assert holiday.decoded("dtstart") == date(2026, 10, 17)
    assert holiday.decoded("dtend") == date(2026, 10, 26)  # exclusive: the 25th is the last day
    sint = events["Sinterklaasviering"]
    assert sint["dtstart"].params["TZID"] == "Europe/Amsterdam"
    start = sint.decoded("dtstart")
    assert start == datetime(2026, 12, 4, 8, 30, tzinfo=AMSTERDAM)
    assert start.utcoffset() == timedelta(hours=1)
    assert str(sint["location"]) == "Speelzaal"
    summer = events["Koningsspelen"].decoded("dtstart")
    assert summer.utcoffset() == timedelta(hours=2)  # summer time
    assert "TZID=Europe/Amsterdam:20270423T083000" in raw.decode()
    uids = {str(e["uid"]) for e in events.values()}
    assert len(uids) == 4 and f"activity-{planned['sint']}@127.0.0.1" in uids
    for event in events.values():
        assert event.get("dtstamp") is not None and event.get("dtstart") is not None
        assert str(event["url"]).startswith("http://127.0.0.1:5000/agenda/activities/")


def test_feed_is_wellformed_rfc_5545_text(planned, parent):
    _calendar, raw = parsed_feed(parent, feed_token(parent))
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in raw


def test_editing_keeps_the_uid_and_raises_the_sequence(app, planned, admin):
    token = feed_token(admin)
    before = events_by_title(parsed_feed(admin, token)[0])["Sinterklaasviering"]
    url = f"/agenda/activities/{planned['sint']}/edit"
    response = post_form(admin, url, activity_form(
        title="Sinterklaasfeest", starts_on="2026-12-04", starts_at="09:00", ends_at="12:00",
        audience="school"))
    assert response.status_code == 302
    after_events = events_by_title(parsed_feed(admin, token)[0])
    assert "Sinterklaasviering" not in after_events and len(after_events) == 4
    after = after_events["Sinterklaasfeest"]
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart") == datetime(2026, 12, 4, 9, tzinfo=AMSTERDAM)


def test_a_groep_5_parent_gets_no_groep_1_2a_activity(planned, other_parent):
    calendar, raw = parsed_feed(other_parent, feed_token(other_parent))
    assert "Kleuterfeest" not in events_by_title(calendar)
    assert b"Kleuterfeest" not in raw and b"Groep 1/2A" not in raw
    assert "Herfstvakantie" in events_by_title(calendar)


def test_group_activities_carry_their_group(planned, parent):
    kleuters = events_by_title(parsed_feed(parent, feed_token(parent))[0])["Kleuterfeest"]
    assert "Groep 1/2A" in kleuters["categories"].to_ical().decode()


def test_the_link_is_shown_once_and_only_its_hash_is_kept(app, parent):
    token = feed_token(parent)
    assert token not in parent.get("/agenda/feed").get_data(as_text=True)
    assert "maar één keer" in parent.get("/agenda/feed").get_data(as_text=True)
    with app.app_context(), db.connection_context():
        stored = CalendarFeed.get()
        assert stored.token_hash != token and token not in stored.token_hash
        assert len(stored.token_hash) == 64
    assert len(token) >= 43  # 256 random bits


def test_a_new_link_revokes_the_old_one_and_stopping_revokes_it(app, parent, client):
    old = feed_token(parent)
    response = post_form(parent, "/agenda/feed", {})
    html = parent.get(response.headers["Location"]).get_data(as_text=True)
    assert "De oude link werkt niet meer" in html
    new = FEED.search(html).group(1)
    assert old != new
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    assert client.get(f"/agenda/{new}.ics").status_code == 200
    response = post_form(parent, "/agenda/feed/stop", {}, page_url="/agenda/feed")
    assert response.status_code == 302
    assert client.get(f"/agenda/{new}.ics").status_code == 404
    assert count(app, CalendarFeed) == 0


@pytest.mark.parametrize("token", ["x", "0" * 43, "a" * 101, "..%2F..%2Fetc", "ab.cd",
                                   "Z" * 43 + "'--"])
def test_wrong_tokens_give_404(client, token):
    assert client.get(f"/agenda/{token}.ics").status_code == 404


def test_a_deactivated_account_has_no_feed(app, parent, client):
    token = feed_token(parent)
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.email == "ouder.jansen@example.org").execute()
    assert client.get(f"/agenda/{token}.ics").status_code == 404


def test_making_a_link_needs_the_csrf_token(app, parent):
    assert parent.post("/agenda/feed").status_code == 400
    assert parent.post("/agenda/feed/stop").status_code == 400
    assert count(app, CalendarFeed) == 0


def test_feed_is_private_and_answers_304_when_unchanged(planned, parent, client):
    token = feed_token(parent)
    first = client.get(f"/agenda/{token}.ics")
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert first.headers["ETag"]
    again = client.get(f"/agenda/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_bookings_from_the_meetings_area_are_in_the_feed(app, planned, parent, monkeypatch):
    # The meetings area's own function is replaced here: this test is about how the feed
    # writes what it returns (a BookedMeeting with naive-UTC times), not about booking.
    from schoolportal.meetings import booking

    meeting = booking.BookedMeeting(
        uid="meeting-booking-7@schoolportal", booking_id=7, start=datetime(2027, 2, 15, 18),
        end=datetime(2027, 2, 15, 18, 15), place="Lokaal 3", video_url="", title="Rapportgesprek",
        teacher="juf Sanne", child="Sem Jansen")
    monkeypatch.setattr(booking, "bookings_for", lambda user, since=None: [meeting])
    events = events_by_title(parsed_feed(parent, feed_token(parent))[0])
    talk = events["Rapportgesprek"]
    assert str(talk["uid"]) == "meeting-booking-7@schoolportal"
    assert talk.decoded("dtstart") == datetime(2027, 2, 15, 19, tzinfo=AMSTERDAM)
    assert "juf Sanne" in str(talk["description"]) and str(talk["location"]) == "Lokaal 3"


def test_without_the_meetings_area_the_feed_still_works(planned, parent, monkeypatch):
    monkeypatch.setitem(sys.modules, "schoolportal.meetings.booking", None)  # import now fails
    assert len(events_by_title(parsed_feed(parent, feed_token(parent))[0])) == 4


def test_real_bookings_for_is_called_without_error(planned, parent):
    # With the real meetings area installed and nothing booked, only activities appear.
    assert len(events_by_title(parsed_feed(parent, feed_token(parent))[0])) == 4


# --- Reading an import -----------------------------------------------------------------------

def vcalendar(*events):
    """An .ics file with these VEVENT bodies."""
    body = "".join(f"BEGIN:VEVENT\r\n{e}END:VEVENT\r\n" for e in events)
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n"
    return f"{head}{body}END:VCALENDAR\r\n".encode()


def vevent(uid, summary, start, end=None, extra=""):
    """A VEVENT body; start and end are ICS values like ;VALUE=DATE:20261017."""
    lines = f"UID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART{start}\r\n"
    if end:
        lines += f"DTEND{end}\r\n"
    return lines + extra


PLANNING = vcalendar(
    vevent("h@school", "Herfstvakantie", ";VALUE=DATE:20261017", ";VALUE=DATE:20261026"),
    vevent("s@school", "Sinterklaas", ":20261204T073000Z", ":20261204T110000Z",
           "LOCATION:Speelzaal\r\nDESCRIPTION:Regel een\\nRegel twee\r\n"),
    vevent("k@school", "Kamp", ";TZID=Europe/Amsterdam:20270623T090000",
           ";TZID=Europe/Amsterdam:20270625T140000"),
    vevent("g@school", "Gym", ";VALUE=DATE:20260907", None, "RRULE:FREQ=WEEKLY\r\n"),
    vevent("x@school", "Afgelast", ";VALUE=DATE:20260908", None, "STATUS:CANCELLED\r\n"),
)


def test_reading_a_planning(app):
    with app.test_request_context():
        plan = ics.read_import(PLANNING)
        events = {e.title: e for e in plan.events}
        assert plan.ok and set(events) == {"Herfstvakantie", "Sinterklaas", "Kamp", "Gym"}
        autumn = events["Herfstvakantie"]
        assert (autumn.starts_on, autumn.ends_on, autumn.all_day) == (
            date(2026, 10, 17), date(2026, 10, 25), True)
        sint = events["Sinterklaas"]  # UTC in the file, the school's clock in the portal
        assert (sint.starts_on, sint.starts_at, sint.ends_at) == (
            date(2026, 12, 4), time(8, 30), time(12))
        assert sint.place == "Speelzaal" and sint.description == "Regel een\nRegel twee"
        camp = events["Kamp"]
        assert (camp.starts_on, camp.ends_on, camp.starts_at, camp.ends_at) == (
            date(2027, 6, 23), date(2027, 6, 25), time(9), time(14))
        assert events["Gym"].ends_on == date(2026, 9, 7)
        warnings = " ".join(str(w) for w in plan.warnings)
        assert "herhaalt zich" in warnings and "geannuleerd" in warnings


@pytest.mark.parametrize("data, message", [
    (b"", "Het bestand is leeg"),
    (b"   \r\n", "Het bestand is leeg"),
    (b"garbage \x00\x01\x02 not a calendar", "Dit is geen agendabestand"),
    (b"PK\x03\x04" + bytes(range(256)), "Dit is geen agendabestand"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n", "beschadigd"),
    (b"BEGIN:VCALENDAR\r\n\xff\xfe broken line without colon\r\nEND:VCALENDAR\r\n",
     "beschadigd"),
    (vcalendar(), "bevat geen activiteiten"),
    (vcalendar(*[vevent(f"{n}@x", "Spam", ";VALUE=DATE:20261017") for n in range(10_000)]),
     "10000 activiteiten"),
])
def test_unreadable_files_are_refused_with_a_clear_message(app, data, message):
    with app.test_request_context():
        started = clock.monotonic()
        with pytest.raises(ics.ImportFileError) as refused:
            ics.read_import(data)
        assert message in str(refused.value.message)
        assert clock.monotonic() - started < 2


@pytest.mark.parametrize("event, message", [
    (vevent("a@x", "Geen datum", "", extra=""), "geen begindatum"),
    ("UID:b@x\r\nDTSTART;VALUE=DATE:20261017\r\n", "geen titel"),
    # icalendar 7 keeps the broken value (unreadable), 6 drops it (no start date).
    (vevent("c@x", "Kapot", ":notadate"), "de data zijn niet te lezen|geen begindatum"),
    (vevent("d@x", "Ver weg", ";VALUE=DATE:99991231"), "Kies data tussen 2000 en 2099"),
    (vevent("e@x", "Omgekeerd", ":20261204T120000", ":20261203T080000"), "vóór de eerste dag"),
    (vevent("e2@x", "Te vroeg", ":20261204T120000", ":20261204T080000"), "na de begintijd"),
    (vevent("e3@x", "Terug", ";VALUE=DATE:20261204", ";VALUE=DATE:20261201"), "vóór de eerste"),
    (vevent("e4@x", "Eeuwig", ";VALUE=DATE:20261204", None, "DURATION:P99999999D\r\n"),
     "niet te lezen"),
    (vevent("f@x", "Gemengd", ";VALUE=DATE:20261204", ":20261204T120000"), "allebei een datum"),
    (vevent("g@x", "x" * 201, ";VALUE=DATE:20261204"), "langer dan 200 tekens"),
    (vevent("h@x", "Jaren", ";VALUE=DATE:20260101", ";VALUE=DATE:20280101"), "hoogstens 366"),
])
def test_events_without_usable_dates_or_titles_refuse_the_file(app, event, message):
    if "DTSTART\r\n" in event:
        event = event.replace("DTSTART\r\n", "")
    good = vevent("ok@x", "Goed", ";VALUE=DATE:20261017")
    with app.test_request_context():
        plan = ics.read_import(vcalendar(good, event))
        assert not plan.ok and len(plan.errors) == 1
        assert re.search(message, str(plan.errors[0])) and "Activiteit 2" in str(plan.errors[0])


def test_the_same_uid_twice_refuses_the_file(app):
    twice = vevent("same@x", "Een", ";VALUE=DATE:20261017")
    with app.test_request_context():
        plan = ics.read_import(vcalendar(twice, twice))
        assert not plan.ok and "twee keer" in str(plan.errors[0])


def test_a_file_over_the_size_limit_is_not_read_whole(app):
    stream = io.BytesIO(b"x" * (ics.MAX_BYTES + 10))
    with app.test_request_context():
        with pytest.raises(ics.ImportFileError) as refused:
            ics.read_limited(stream)
        assert "groter dan 1024 kB" in str(refused.value.message)
    assert stream.tell() == ics.MAX_BYTES + 1


# --- Importing through the pages ------------------------------------------------------------

def upload(client, data, audience="school", name="jaarplanning.ics"):
    """Upload a file on the import page."""
    token = csrf_token_from(client.get("/agenda/import").get_data(as_text=True))
    return client.post("/agenda/import", data={
        "csrf_token": token, "audience": audience, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def confirm(client, preview_html):
    """Press "Import now" on a preview."""
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post("/agenda/import/confirm", data={
        "csrf_token": csrf_token_from(preview_html), "key": key})


def test_import_shows_a_preview_then_imports_once(app, admin, other_parent):
    preview = upload(admin, PLANNING)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Herfstvakantie" in html and "Kamp" in html
    assert "herhaalt zich" in html and count(app, Activity) == 0
    done = confirm(admin, html)
    assert done.status_code == 302
    assert "4 nieuwe activiteiten" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert count(app, Activity) == 4
    assert "Kamp" in other_parent.get("/agenda/2027/6").get_data(as_text=True)
    again = confirm(admin, html)
    assert "al geïmporteerd" in admin.get(again.headers["Location"]).get_data(as_text=True)
    assert count(app, Activity) == 4


def test_importing_again_updates_instead_of_duplicating(app, admin):
    confirm(admin, upload(admin, PLANNING).get_data(as_text=True))
    same = upload(admin, PLANNING).get_data(as_text=True)
    assert "Alles in dit bestand staat al in de kalender" in same
    with app.app_context(), db.connection_context():
        camp_id = Activity.get(Activity.title == "Kamp").id
    moved = PLANNING.replace(b"20270625T140000", b"20270625T160000")
    preview = upload(admin, moved).get_data(as_text=True)
    assert re.search(r"Gewijzigde activiteiten</dt><dd>1<", preview)
    confirm(admin, preview)
    with app.app_context(), db.connection_context():
        camp = Activity.get(Activity.title == "Kamp")
        assert (camp.id, camp.ends_at, camp.sequence) == (camp_id, time(16), 1)
    assert count(app, Activity) == 4


@pytest.mark.parametrize("data, message", [
    (b"garbage", "Dit is geen agendabestand"),
    (vcalendar(*[vevent(f"{n}@x", "Spam", ";VALUE=DATE:20261017") for n in range(10_000)]),
     "importeer er hoogstens 500 tegelijk"),
    (vcalendar(vevent("a@x", "Goed", ";VALUE=DATE:20261017"),
               "UID:b@x\r\nSUMMARY:Zonder datum\r\n"), "geen begindatum"),
    (b"BEGIN:VCALENDAR\r\n" + b"X" * (ics.MAX_BYTES + 1), "groter dan 1024 kB"),
])
def test_broken_or_hostile_uploads_change_nothing(app, admin, data, message):
    add_activity(app, "Al gepland", date(2026, 10, 1))
    response = upload(admin, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Activity) == 1 and count(app, CalendarImport) == 0
    assert 'name="key"' not in response.get_data(as_text=True)


def test_staff_import_for_their_own_group_only(app, teacher, groups, other_parent, parent):
    html = teacher.get("/agenda/import").get_data(as_text=True)
    assert "Groep 1/2A" in html and "De hele school" not in html and "Groep 5" not in html
    assert upload(teacher, PLANNING, audience="school").status_code == 422
    assert upload(teacher, PLANNING, audience=str(groups["Groep 5"].id)).status_code == 422
    preview = upload(teacher, PLANNING, audience=str(groups["Groep 1/2A"].id))
    confirm(teacher, preview.get_data(as_text=True))
    assert count(app, ActivityGroup) == 4
    assert "Kamp" in parent.get("/agenda/2027/6").get_data(as_text=True)
    assert "Kamp" not in other_parent.get("/agenda/2027/6").get_data(as_text=True)


def test_someone_elses_import_cannot_be_confirmed(app, admin, login_as):
    html = upload(admin, PLANNING).get_data(as_text=True)
    office = login_as("administratie@example.org")
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    token = csrf_token_from(office.get("/agenda/import").get_data(as_text=True))
    response = office.post("/agenda/import/confirm", data={"csrf_token": token, "key": key})
    assert response.status_code == 404 and count(app, Activity) == 0


def test_parents_cannot_import(parent):
    assert parent.get("/agenda/import").status_code == 403
    token = csrf_token_from(parent.get("/agenda/feed").get_data(as_text=True))
    for url in ("/agenda/import", "/agenda/import/confirm"):
        assert parent.post(url, data={"csrf_token": token}).status_code == 403


def test_a_simultaneous_import_of_the_same_events_changes_nothing(app, monkeypatch):
    from schoolportal.calendar import service

    with app.test_request_context(), db.connection_context():
        events = ics.read_import(PLANNING).events
        director = User.by_email("directie@example.org")
        first = service.keep_import(events, "a.ics", "school", director)
        second = service.keep_import(events, "b.ics", "school", director)
        service.apply_import(first, director, events, "school")
        # The second sorted the events just before the first committed: all still new.
        monkeypatch.setattr(service, "import_outcome", lambda user, found: (
            service.ImportOutcome(list(found), [], [], [])))
        with pytest.raises(service.ImportConflict):
            service.apply_import(second, director, events, "school")
        assert CalendarImport.get_by_id(second.id).applied_at is None
        assert Activity.select().count() == 4
