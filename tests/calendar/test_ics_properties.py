"""The .ics import (a year planning from another calendar), tried with Hypothesis: whatever
the file holds, a clear message or a preview (never a 500), and no script on the page."""

import io
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from schoolportal.calendar import ics
from tests.calendar.test_ics import PLANNING
from tests.support.hostile import FAST, HTTP, hostile_text, raw_markup_in, typed_attack
from tests.support.web import csrf_token_from

values = st.one_of(hostile_text, st.sampled_from([
    ";VALUE=DATE:20261017", ":20261204T073000Z", ";TZID=Europe/Amsterdam:20270623T090000",
    ";TZID=Nowhere/Land:20270623T090000", ":notadate", ";VALUE=DATE:99991231", ":",
    ";VALUE=DATE:20260230", ":20261204T250000",
]))
names = st.sampled_from(["SUMMARY", "DTSTART", "DTEND", "LOCATION", "DESCRIPTION", "UID",
                         "RRULE", "STATUS", "DURATION", "X-JUNK", "BEGIN", "END"])


def _one_line(text):
    """Text as an ICS value on one line (escaped as calendar programs do)."""
    return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


@st.composite
def ics_files(draw):
    """A calendar file as a calendar program (or an attacker) might write it, as bytes:
    well-formed events with hostile titles, places and descriptions, and broken ones."""
    events = []
    for number in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):  # a valid event whose texts are an attack
            lines = [f"UID:{number}@walk", f"SUMMARY:{_one_line(draw(typed_attack))[:150]}",
                     "DTSTART;VALUE=DATE:20261017",
                     f"LOCATION:{_one_line(draw(typed_attack))[:150]}",
                     f"DESCRIPTION:{_one_line(draw(typed_attack))}"]
        else:
            lines = [f"{draw(names)}{draw(values)}" for _ in range(draw(st.integers(0, 6)))]
        events.append("BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n")
    body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//NL\r\n" + "".join(events)
    if draw(st.booleans()):
        body += "END:VCALENDAR\r\n"
    return body.encode(draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])), errors="replace")


@FAST
@given(st.one_of(ics_files(), st.binary(max_size=300)))
def test_any_file_gives_events_or_clear_messages(app, data):
    with app.test_request_context():
        try:
            plan = ics.read_import(data)
        except ics.ImportFileError as refused:
            assert str(refused.message).strip()
            return
        assert plan.events or plan.errors
        assert all(str(error).strip() for error in plan.errors)


def _upload(client, data):
    """Send a file through the real upload form, for the whole school."""
    page = client.get("/agenda/import").get_data(as_text=True)
    return client.post("/agenda/import", data={
        "csrf_token": csrf_token_from(page), "audience": "school",
        "file": (io.BytesIO(data), "jaarplanning.ics")})


@HTTP
@given(ics_files())
def test_the_preview_page_never_fails_and_never_runs_the_files_text(app, admin, data):
    response = _upload(admin, data)
    assert response.status_code in (200, 422), response.status_code
    html = response.get_data(as_text=True)
    if response.status_code == 422:
        assert "field__error" in html or "Activiteit" in html  # the message, with the event
    baseline = _upload(admin, PLANNING).get_data(as_text=True)
    assert Counter(raw_markup_in(html)) - Counter(raw_markup_in(baseline)) == Counter()
