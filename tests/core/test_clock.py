"""One clock for the school's day: right at 23:59 and 00:01 Amsterdam and on both DST days.

The server runs on UTC; at 00:01 in Amsterdam it is still yesterday there (22:01 or 23:01
UTC), so a naive `date.today()` files a sick report on the wrong day.
"""

import re
from datetime import date
from pathlib import Path

import pytest

from schoolportal.absence import service as absence_service
from schoolportal.absence.models import AbsenceReport
from schoolportal.access import service as access_service
from schoolportal.admin import service as admin_service
from schoolportal.core import clock, worker
from schoolportal.core.extensions import db
from tests.support.clock import at_school
from tests.support.web import PARENT

# (Amsterdam wall-clock moment, the school's date): an ordinary winter and summer night and
# both daylight-saving change days of 2026 (29 March 02:00 -> 03:00, 25 October 03:00 -> 02:00).
MOMENTS = [
    ((2026, 1, 14, 0, 1), date(2026, 1, 14)),
    ((2026, 1, 14, 23, 59), date(2026, 1, 14)),
    ((2026, 6, 30, 0, 1), date(2026, 6, 30)),
    ((2026, 6, 30, 23, 59), date(2026, 6, 30)),
    ((2026, 3, 29, 0, 1), date(2026, 3, 29)),
    ((2026, 3, 29, 3, 1), date(2026, 3, 29)),
    ((2026, 3, 29, 23, 59), date(2026, 3, 29)),
    ((2026, 10, 25, 0, 1), date(2026, 10, 25)),
    ((2026, 10, 25, 23, 59), date(2026, 10, 25)),
    ((2026, 10, 24, 23, 59), date(2026, 10, 24)),
]


@pytest.mark.parametrize("moment,expected", MOMENTS)
def test_the_school_day_at_midnight_and_on_dst_days(app, moment, expected):
    with at_school(*moment), app.app_context():
        assert clock.school_today() == expected


def test_every_name_for_the_school_day_is_the_one_clock():
    assert worker.school_today is clock.school_today
    assert absence_service.school_today is clock.school_today
    assert access_service.school_today is clock.school_today
    assert admin_service.today_in_school is clock.school_today


def test_no_code_asks_the_machine_for_today():
    # The machine's date is UTC's; only core/clock.py may ask the machine what time it is,
    # in the portal and in its tests (whose "today" must be the school's day too).
    repo = Path(clock.__file__).resolve().parents[2]
    pattern = re.compile(r"\b(date\.today|datetime\.(now|utcnow|today))\(")
    allowed = {"clock.py", "test_clock.py"}
    offenders = [
        f"{path.relative_to(repo)}:{number}"
        for folder in ("schoolportal", "tests") for path in (repo / folder).rglob("*.py")
        if "migrations" not in path.parts and path.name not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line.split("#")[0]) and "`" not in line
    ]
    assert offenders == [], f"use schoolportal.core.clock instead: {offenders}"


@pytest.mark.parametrize("moment,expected", [MOMENTS[4], MOMENTS[6], MOMENTS[7], MOMENTS[8]])
def test_a_sick_report_at_midnight_is_for_the_schools_day(app, login_as, moment, expected):
    with at_school(*moment):
        parent = login_as(PARENT)
        home = parent.get("/").get_data(as_text=True)
        card = re.search(r'<div id="absence-child-\d+".*?</form>', home, re.S).group(0)
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', card))
        assert parent.post("/afwezigheid/ziek-melden", data=fields).status_code in (200, 302)
    with app.app_context(), db.connection_context():
        [report] = AbsenceReport.select()
        assert report.starts_on == expected


def test_a_stored_moment_is_dated_in_school_time(app):
    from datetime import datetime

    with app.app_context():
        # 22:30 UTC on 24 October is 00:30 on the 25th in Amsterdam (still summer time).
        assert clock.school_today(datetime(2026, 10, 24, 22, 30)) == date(2026, 10, 25)
        assert clock.school_today(datetime(2026, 10, 25, 22, 30)) == date(2026, 10, 25)


def test_a_birth_date_of_the_schools_today_is_not_in_the_future_at_00_01(app):
    from schoolportal.access.forms import AccessRequestForm

    with at_school(2026, 3, 29, 0, 1), app.test_request_context(
            method="POST", data={"child_birth_date": "29-03-2026"}):
        form = AccessRequestForm(meta={"csrf": False})
        form.child_birth_date.validate(form)
        assert form.child_birth_date.errors == []
