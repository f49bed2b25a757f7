"""Where surveys and calls plug into shared pages: the menu (with a badge) and the home page."""

from flask import g
from flask_babel import lazy_gettext as _l

from schoolportal.core import worker
from schoolportal.core.hooks import HomePanel, NavItem
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF
from schoolportal.surveys import answers, results
from schoolportal.surveys import calls as help_calls

HOME_ITEMS = 5


def _to_answer(user):
    """The open surveys this parent still has to answer, once per request."""
    if "surveys_to_answer" not in g:
        g.surveys_to_answer = answers.todo_rows(user)
    return g.surveys_to_answer


def _badge(user):
    """The menu shows parents how many surveys wait for their answer (a query the menu counts
    with the other badges, or the home page's list when its panel has it already)."""
    if user.role != ROLE_PARENT:
        return 0
    if "surveys_to_answer" in g:
        return len(g.surveys_to_answer)
    return answers.waiting_surveys(user)


def parent_panel(user):
    """Surveys to answer, calls with room (or where the parent helps); hidden when none."""
    calls = [row for row in help_calls.upcoming_for(user, worker.school_today())
             if row.helping or not row.call.is_full]
    surveys = _to_answer(user)
    if not surveys and not calls:
        return None
    return {"surveys": surveys[:HOME_ITEMS], "calls": calls[:HOME_ITEMS], "for_staff": False}


def staff_panel(user):
    """Open surveys with their answer counts and the coming calls, with links to make new ones."""
    surveys = [row for row in results.rows_for_staff(user) if row.state == "open"]
    calls = help_calls.upcoming_for(user, worker.school_today())
    return {"surveys": surveys[:HOME_ITEMS], "calls": calls[:HOME_ITEMS], "for_staff": True}


NAV_ITEMS = (NavItem("surveys.index", _l("Surveys and calls"), order=60, badge=_badge),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/surveys/home.html", 8, parent_panel),
    HomePanel((ROLE_ADMIN, ROLE_STAFF), "partials/surveys/home.html", 60, staff_panel),
)
