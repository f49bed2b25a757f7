"""Where meetings plug into shared pages: the menu (with a badge) and the home-page cards."""

from flask_babel import lazy_gettext as _l

from schoolportal.core import clock
from schoolportal.core.hooks import Count, HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, utcnow
from schoolportal.meetings import booking, requests, rounds


def _badge(user):
    """Requests waiting for this user (the menu counts them with the other badges)."""
    return requests.waiting(user)


def parent_panel(user):
    """Rounds open for booking now, and the family's next meetings (read with the other cards)."""
    now = utcnow()
    return {"open_rounds": Rows(rounds.open_of_parent(user.id, clock.school_today(), now)),
            "meetings": Rows(booking.next_booked_by(user, now, 3), then=booking.describe_all)}


def staff_panel(user):
    """The teacher's next meetings and the requests waiting for times."""
    return {"meetings": Rows(booking.next_booked_by(user, utcnow(), 5),
                             then=booking.describe_all),
            "waiting": Count(requests.waiting(user)), "open_rounds": []}


def _anything(values):
    """The card shows when there is a round to book, a meeting ahead or a request waiting."""
    return values if values["open_rounds"] or values["meetings"] or values.get("waiting") else None


NAV_ITEMS = (NavItem("meetings.index", _l("Meetings"), order=40, badge=_badge),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/meetings/home.html", 7, parent_panel, _anything),
    HomePanel((ROLE_STAFF, ROLE_ADMIN), "partials/meetings/home.html", 30, staff_panel,
              _anything),
)
