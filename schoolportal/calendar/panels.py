"""Where the year calendar shows up outside its own pages: the menu and the home card."""

from flask_babel import lazy_gettext as _l

from schoolportal.calendar import service
from schoolportal.core import worker
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_PARENT, ROLES


def coming_up(user):
    """The "binnenkort" card: the next few activities for everyone."""
    return {"activities": Rows(service.upcoming_rows(user, worker.school_today()),
                               then=service.upcoming_of)}


NAV_ITEMS = (NavItem("calendar.month", _l("Year calendar"), order=30,
                     tab_roles=(ROLE_PARENT,), tab_label=_l("Calendar"), icon="calendar"),)
HOME_PANELS = (HomePanel(ROLES, "partials/calendar/home.html", 20, coming_up),)
