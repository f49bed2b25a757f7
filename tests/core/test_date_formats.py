"""One set of date formats for the whole interface, in Dutch and in English."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from schoolportal.core.i18n import DATE_FORMATS, formatted

TEMPLATES = Path(__file__).resolve().parents[2] / "schoolportal" / "templates"
# Only the calendar grid's own labels (a weekday's name, a month's name) may use a pattern.
LABELS = {"dateformat('EEEE')", 'dateformat("EEE")', 'dateformat("LLLL")'}

MOMENT = datetime(2026, 12, 4, 19, 19)  # UTC: 20:19 in Amsterdam


@pytest.mark.parametrize(("language", "name", "expected"), [
    ("nl", "date_long", "vrijdag 4 december 2026"),
    ("nl", "date_short", "4 dec 2026"),
    ("nl", "day_short", "vr 4 dec"),
    ("nl", "datetime_long", "vrijdag 4 december 2026, 20:19"),
    ("nl", "datetime_short", "4 dec 2026, 20:19"),
    ("nl", "time_short", "20:19"),
    ("nl", "month_year", "december 2026"),
    ("en", "datetime_short", "4 Dec 2026, 20:19"),
    ("en", "date_long", "Friday 4 December 2026"),
])
def test_the_formats_in_both_languages(app, language, name, expected):
    with app.test_request_context(), force_locale(language):
        assert formatted(MOMENT, name) == expected


def test_a_late_evening_in_utc_is_the_next_day_in_amsterdam(app):
    with app.test_request_context(), force_locale("nl"):
        assert formatted(datetime(2026, 12, 4, 23, 30), "date_long") == "zaterdag 5 december 2026"
        assert formatted(date(2026, 12, 4), "date_short") == "4 dec 2026"


def test_templates_use_only_the_named_formats():
    ad_hoc = []
    for path in TEMPLATES.rglob("*.html"):
        for found in re.findall(r"\|(?:datetimeformat|dateformat|timeformat)(?:\([^)]*\))?",
                                path.read_text()):
            if found[1:] not in LABELS:
                ad_hoc.append(f"{path.relative_to(TEMPLATES)}: {found}")
    assert ad_hoc == []
    assert set(DATE_FORMATS) >= {"date_long", "datetime_short", "time_short"}


def test_pages_show_no_numeric_or_us_style_dates(app, parent, teacher):
    for client in (parent, teacher):
        for url in ("/", "/feed", "/afwezigheid", "/agenda"):
            html = client.get(url).get_data(as_text=True)
            assert not re.search(r">\s*\d{2}-\d{2}-\d{4}", html), url
            assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}", html), url
