"""Where slips plug into shared pages: the menu and the home page."""

from flask_babel import lazy_gettext as _l

from schoolportal.core.clock import school_today
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF
from schoolportal.slips import answers, overview, policy
from schoolportal.slips.models import Slip

HOME_ITEMS = 6


def parent_panel(user):
    """"Nog in te vullen": the open forms per child (read with the other cards)."""
    return {"rows": Rows(answers.todo_query(user, school_today(), HOME_ITEMS),
                         then=answers.child_rows), "for_staff": False}


def staff_panel(user):
    """The open slips of the user's groups with "18 of 24 filled in" (`answered`, `children`)."""
    return {"slips": Rows(overview.with_counts(policy.manageable_slips(user))
                          .where(Slip.deadline >= school_today())
                          .order_by(Slip.deadline, Slip.id).limit(HOME_ITEMS)),
            "for_staff": True}


def _anything(values):
    """Hidden when there is no form to fill in or follow."""
    return values if values.get("rows") or values.get("slips") else None


def _badge(user):
    """Parents see how many forms wait for them (one per child); the menu counts the query
    with its other badges in one statement, so the badge costs a page nothing extra."""
    return answers.waiting_for(user, school_today()) if user.role == ROLE_PARENT else 0


NAV_ITEMS = (NavItem("slips.index", _l("Forms"), order=62, badge=_badge),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/slips/home.html", 7, parent_panel, _anything),
    HomePanel((ROLE_ADMIN, ROLE_STAFF), "partials/slips/home.html", 61, staff_panel, _anything),
)
