"""Where surveys and calls plug into shared pages: the menu (with a badge) and the home page."""

from flask import g
from flask_babel import lazy_gettext as _l

from .. import help_calls, hooks, survey_answers, survey_results, worker
from ..models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF

HOME_ITEMS = 5


def _to_answer(user):
    """The open surveys this parent still has to answer, once per request."""
    if "surveys_to_answer" not in g:
        g.surveys_to_answer = [row for row in survey_answers.rows_for_parent(user)
                               if row.state == "todo"]
    return g.surveys_to_answer


def _badge(user):
    """The menu shows parents how many surveys wait for their answer."""
    return len(_to_answer(user)) if user.role == ROLE_PARENT else 0


hooks.nav_item("surveys.index", _l("Surveys and calls"), order=60, badge=_badge)


@hooks.home_panel((ROLE_PARENT,), "partials/surveys/home.html", order=60)
def parent_panel(user):
    """Surveys to answer, calls with room (or where the parent helps); hidden when none."""
    calls = [row for row in help_calls.upcoming_for(user, worker.school_today())
             if row.helping or not row.call.is_full]
    surveys = _to_answer(user)
    if not surveys and not calls:
        return None
    return {"surveys": surveys[:HOME_ITEMS], "calls": calls[:HOME_ITEMS], "for_staff": False}


@hooks.home_panel((ROLE_ADMIN, ROLE_STAFF), "partials/surveys/home.html", order=60)
def staff_panel(user):
    """Open surveys with their answer counts and the coming calls, with links to make new ones."""
    surveys = [row for row in survey_results.rows_for_staff(user) if row.state == "open"]
    calls = help_calls.upcoming_for(user, worker.school_today())
    return {"surveys": surveys[:HOME_ITEMS], "calls": calls[:HOME_ITEMS], "for_staff": True}
