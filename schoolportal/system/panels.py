"""The admins' home page warns when the worker stopped: mail and the nightly purge wait on it."""

from schoolportal.core.hooks import HomePanel, Rows
from schoolportal.core.models import ROLE_ADMIN, Heartbeat
from schoolportal.system import health


def _worker_beat(user):
    """When the worker last finished a round (read with the other cards)."""
    return {"beat": Rows(Heartbeat.select(Heartbeat.last_success_at)
                         .where(Heartbeat.name == "worker"))}


def _worker_warning(values):
    """A card only when the worker is late or never ran."""
    last = values["beat"][0].last_success_at if values["beat"] else None
    state = health.worker_state(last)
    return None if state == "ok" else {"state": state, "last": last}


HOME_PANELS = (HomePanel((ROLE_ADMIN,), "partials/system/home_admin.html", 1, _worker_beat,
                         _worker_warning),)
