"""The admins' home page warns when the worker stopped: mail and the nightly purge wait on it."""

from schoolportal.core.hooks import HomePanel
from schoolportal.core.models import ROLE_ADMIN, Heartbeat
from schoolportal.system import health


def _worker_warning(user):
    """A card only when the worker is late or never ran (one query)."""
    last = Heartbeat.last("worker")
    state = health.worker_state(last)
    return None if state == "ok" else {"state": state, "last": last}


HOME_PANELS = (HomePanel((ROLE_ADMIN,), "partials/system/home_admin.html", 1, _worker_warning),)
