"""The school's clock: the one place that asks what time and what day it is at the school.

The server may run on UTC while the school is in Europe/Amsterdam (BABEL_DEFAULT_TIMEZONE):
at 00:30 in Amsterdam it is still yesterday in UTC, and twice a year the difference changes.
Everything that means "today at the school" calls `school_today()`; tests move the clock
with time-machine, which these functions follow.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SCHOOL_ZONE = "Europe/Amsterdam"


def school_zone():
    """The school's time zone (BABEL_DEFAULT_TIMEZONE, Europe/Amsterdam by default)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or SCHOOL_ZONE)


def utc_now():
    """Now, as an aware time in UTC."""
    return datetime.now(UTC)


def school_now(now=None):
    """The moment (default: now; a naive one is UTC, as stored) as an aware time at the school."""
    moment = now or utc_now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(school_zone())


def school_today(now=None):
    """Today's date at the school (or the date at the school of a stored UTC moment)."""
    return school_now(now).date()
