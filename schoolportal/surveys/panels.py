"""Where surveys and calls plug into shared pages: the menu (with a badge) and the home page."""

from flask_babel import lazy_gettext as _l

from schoolportal.core import worker
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, utcnow
from schoolportal.surveys import answers, results
from schoolportal.surveys import calls as help_calls

HOME_ITEMS = 5


def _badge(user):
    """The menu shows parents how many surveys wait for their answer (a query the menu counts
    with the other badges)."""
    return answers.waiting_surveys(user) if user.role == ROLE_PARENT else 0


def parent_panel(user):
    """Surveys to answer, calls with room (or where the parent helps): read with the other
    cards, and hidden when there are none."""
    def open_calls(calls):
        rows = help_calls.call_rows(user, calls)
        return [row for row in rows if row.helping or not row.call.is_full][:HOME_ITEMS]

    return {"surveys": Rows(answers.todo_query(user, limit=HOME_ITEMS), then=answers.todo_of),
            "calls": Rows(help_calls.upcoming_query(user, worker.school_today()),
                          then=open_calls),
            "for_staff": False}


def staff_panel(user):
    """Open surveys with their answer counts and the coming calls, with links to make new ones."""
    now = utcnow()

    def open_surveys(surveys):
        return [row for row in results.staff_rows(surveys, now) if row.state == "open"][:HOME_ITEMS]

    return {"surveys": Rows(results.staff_query(user, now), then=open_surveys),
            "calls": Rows(help_calls.upcoming_query(user, worker.school_today()),
                          then=lambda calls: help_calls.call_rows(user, calls)[:HOME_ITEMS]),
            "for_staff": True}


def _parent_sees(values):
    """A parent's card shows only with a survey to answer or a call to help with."""
    return values if values["surveys"] or values["calls"] else None


NAV_ITEMS = (NavItem("surveys.index", _l("Surveys and calls"), order=60, badge=_badge),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/surveys/home.html", 8, parent_panel, _parent_sees),
    HomePanel((ROLE_ADMIN, ROLE_STAFF), "partials/surveys/home.html", 60, staff_panel),
)
