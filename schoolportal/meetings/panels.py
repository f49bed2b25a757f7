"""Where meetings plug into shared pages: the menu (with a badge) and the home-page cards."""

from flask_babel import lazy_gettext as _l

from schoolportal.core.hooks import Count, HomePanel, NavItem
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, utcnow
from schoolportal.meetings import booking, policy, requests, rounds
from schoolportal.meetings.models import MeetingRound


def _badge(user):
    """Requests waiting for this user (the menu counts them with the other badges)."""
    return requests.waiting(user)


def parent_panel(user):
    """Rounds open for booking now, and the family's next meetings."""
    now = utcnow()
    open_rounds = list(rounds.current(policy.meeting_rounds_visible_to(user), now).where(
        (MeetingRound.opens_at <= now) & (MeetingRound.closes_at > now)))
    meetings = booking.bookings_for(user, since=now)[:3]
    if not open_rounds and not meetings:
        return None
    return {"open_rounds": open_rounds, "meetings": meetings}


def staff_panel(user):
    """The teacher's next meetings and the requests waiting for times."""
    meetings = booking.bookings_for(user, since=utcnow())[:5]
    if not meetings:  # whether to show the card at all depends on the count
        waiting = requests.open_count(user)
        if not waiting:
            return None
    else:  # counted with the other cards' numbers
        waiting = Count(requests.waiting(user))
    return {"meetings": meetings, "waiting": waiting, "open_rounds": []}


NAV_ITEMS = (NavItem("meetings.index", _l("Meetings"), order=40, badge=_badge),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/meetings/home.html", 7, parent_panel),
    HomePanel((ROLE_STAFF, ROLE_ADMIN), "partials/meetings/home.html", 30, staff_panel),
)
