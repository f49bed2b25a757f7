"""When a push may go: after the user's quiet hours and, for staff, inside their working hours.

All in the school's time zone (Europe/Amsterdam), so "07:00" stays 07:00 on the days the
clocks change; stored and returned moments are naive UTC like every timestamp.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from schoolportal.conversations.directory import next_opening


def zone():
    """The school's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def quiet_until(moment, quiet):
    """When the quiet hours around an aware local moment end; None outside them."""
    if not quiet or quiet[0] == quiet[1]:
        return None
    starts, ends = quiet
    clock, day = moment.time().replace(tzinfo=None), moment.date()
    if starts < ends:
        inside, end_day = starts <= clock < ends, day
    elif clock >= starts:  # over midnight, evening part: they end tomorrow morning
        inside, end_day = True, day + timedelta(days=1)
    else:
        inside, end_day = clock < ends, day
    return datetime.combine(end_day, ends, moment.tzinfo) if inside else None


def hold_until(at, quiet=None, working=None):
    """The first moment at or after `at` (naive UTC) outside quiet hours and, when working
    hours are set, inside them; naive UTC."""
    moment = at.replace(tzinfo=UTC).astimezone(zone())
    for _round in range(4):  # a quiet end may fall outside working hours, and back
        later = quiet_until(moment, quiet) or (next_opening(working, moment) if working
                                                else None)
        if later is None or later <= moment:
            break
        moment = later
    return moment.astimezone(UTC).replace(tzinfo=None)
