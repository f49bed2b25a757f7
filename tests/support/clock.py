"""Moving the clock in tests (time-machine): moments given in the school's own time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at_school(year, month, day, hour=12, minute=0):
    """Stop the clock at this wall-clock time in Amsterdam: `with at_school(...):`.

    The moment is given to time-machine in UTC, so the machine's own time zone stays UTC,
    as on a server (a ZoneInfo moment would make time-machine set TZ to Amsterdam too, and
    `date.today()` would look right by accident).
    """
    moment = datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)
    return time_machine.travel(moment, tick=False)
