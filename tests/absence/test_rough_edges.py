"""What a new user hit in absence: the sick report after school, the stale menu counter,
the leave form on a phone, and demo absences that fell on a Sunday or in a holiday."""

import re
from datetime import date, datetime, timedelta

import pytest

from schoolportal.absence import demo as absence_demo
from schoolportal.absence import service
from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.calendar.demo import YEAR
from schoolportal.core import clock
from schoolportal.core.database import write_transaction
from tests.absence.test_absence import QUICK, _card_fields, _pupil_id, _reports, _tap
from tests.support.browser import PHONE, log_in, wait_for_htmx
from tests.support.web import PARENT, TEACHER, csrf_token_from

HTMX = {"HX-Request": "true"}


def _at(monkeypatch, moment):
    """Let the absence rules believe it is this moment (naive UTC); sessions keep real time."""
    monkeypatch.setattr(service, "utcnow", lambda: moment)
    monkeypatch.setattr(service, "local_now", lambda now=None: clock.school_now(now or moment))
    monkeypatch.setattr(service, "school_today",
                        lambda now=None: clock.school_today(now or moment))


# Friday 4 December 2026: 16:30 in Amsterdam is 15:30 UTC; Wednesday 2 December 7:00 is 6:00.
FRIDAY_AFTER_SCHOOL = datetime(2026, 12, 4, 15, 30)
WEDNESDAY_MORNING = datetime(2026, 12, 2, 6, 0)
SATURDAY = datetime(2026, 12, 5, 11, 0)


@pytest.mark.parametrize(("moment", "button", "first_day"), [
    (WEDNESDAY_MORNING, "Ziek melden voor vandaag", date(2026, 12, 2)),
    (datetime(2026, 12, 2, 15, 0), "Ziek melden voor morgen", date(2026, 12, 3)),
    (FRIDAY_AFTER_SCHOOL, "Ziek melden voor maandag 7 december 2026", date(2026, 12, 7)),
    (SATURDAY, "Ziek melden voor maandag 7 december 2026", date(2026, 12, 7)),
])
def test_after_school_the_one_tap_is_for_the_next_school_day(
        app, parent, monkeypatch, moment, button, first_day):
    app.config["ABSENCE_SCHOOL_ENDS_AT"] = "15:00"
    _at(monkeypatch, moment)
    home = parent.get("/").get_data(as_text=True)
    assert button in home
    if first_day != date(2026, 12, 2):
        assert "Ziek melden voor vandaag" not in home
    response = _tap(parent, app)
    assert response.status_code == 302
    [report] = _reports(app)
    assert report.starts_on == first_day and report.ends_on is None
    assert not report.late  # reported ahead: not late for the office
    home = parent.get("/").get_data(as_text=True)
    assert button not in home  # that day is reported: no second one-tap for it


def test_the_next_school_day_answer_for_htmx_names_the_day(app, parent, monkeypatch):
    app.config["ABSENCE_SCHOOL_ENDS_AT"] = "15:00"
    _at(monkeypatch, FRIDAY_AFTER_SCHOOL)
    fields = _card_fields(parent.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
    html = parent.post(QUICK, data=fields, headers=HTMX).get_data(as_text=True)
    assert "Sem is ziek gemeld vanaf maandag 7 december 2026" in html


def test_marking_seen_with_htmx_brings_the_menu_counters_along(app, parent, teacher):
    _tap(parent, app)
    [report] = _reports(app)
    page = teacher.get("/afwezigheid").get_data(as_text=True)
    assert re.search(r'href="/afwezigheid"[^>]*>.*?<span class="nav-badge">1', page, re.S)
    response = teacher.post(f"/afwezigheid/{report.id}/gezien", headers={
        **HTMX, "HX-Current-URL": "http://localhost/afwezigheid"},
        data={"csrf_token": csrf_token_from(page), "next": "/afwezigheid"})
    html = response.get_data(as_text=True)
    assert '<hx-partial hx-target="#webapp-tabs" hx-swap="outerHTML">' in html
    assert '<hx-partial hx-target="#site-nav" hx-swap="outerHTML">' in html
    tabs = html[html.index('id="webapp-tabs"'):]
    absence_tab = re.search(r'<a href="/afwezigheid" aria-current="page">.*?</a>', tabs, re.S)
    assert absence_tab and "nav-badge" not in absence_tab.group(0)


def test_in_the_browser_the_absence_badge_goes_when_marked_seen(app, parent, new_page):
    _tap(parent, app)
    page = new_page(viewport=PHONE)
    log_in(page, TEACHER)
    page.goto("/afwezigheid")
    wait_for_htmx(page)
    tab = page.locator("#webapp-tabs a[href='/afwezigheid']")
    assert tab.locator(".nav-badge").inner_text().startswith("1")
    page.get_by_role("button", name=re.compile("Gezien")).first.click()
    page.locator("text=Gezien door juf Sanne").first.wait_for()
    tab.locator(".nav-badge").wait_for(state="detached")
    assert page.locator("#site-nav a[href='/afwezigheid'] .nav-badge").count() == 0
    assert [e for e in page.errors if "Content Security Policy" in e] == []


def test_the_leave_form_does_not_scroll_sideways_on_a_phone(app, new_page):
    page = new_page(viewport=PHONE)
    log_in(page, PARENT)
    for path in ("/afwezigheid/verlof/aanvragen", "/afwezigheid/melden"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        for field in page.locator("input[type=date]").all():
            box = field.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"], path


def _demo_rows(app, today, now, monkeypatch):
    """Seed the absence demo as on `today` at `now`; returns (reports, leave requests)."""
    monkeypatch.setattr(absence_demo, "utcnow", lambda: now)
    with app.app_context():
        from schoolportal.core.extensions import db

        with db.connection_context():
            with write_transaction():
                absence_demo.seed(today)
            return list(AbsenceReport.select()), list(LeaveRequest.select())


def _holidays():
    """Every day of the demo year's holidays and study days."""
    days = set()
    for key, _title, first, last, start, *_rest in YEAR:
        if start is None and key != "report":
            days |= {first + timedelta(days=n) for n in range(((last or first) - first).days + 1)}
    return days


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6),
                                   date(2026, 12, 18), date(2026, 11, 27)])
def test_demo_absences_fall_on_school_days_and_were_reported_in_the_past(
        app, monkeypatch, today):
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=6)  # 7:00 in Amsterdam
    reports, leave = _demo_rows(app, today, now, monkeypatch)
    assert reports and leave
    free = _holidays()
    for row in reports + leave:
        day = row.starts_on
        while day <= (row.ends_on or row.starts_on):
            assert day.weekday() < 5 and day not in free, (today, row.starts_on, row.ends_on)
            day += timedelta(days=1)
        assert row.created_at <= now
