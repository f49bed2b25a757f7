"""Where photo consent shows up outside its own pages: the menu and the teachers' home card."""

from flask_babel import lazy_gettext as _l

from schoolportal import authz
from schoolportal.albums import policy as albums_policy
from schoolportal.consent import policy, service
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_PARENT, ROLE_STAFF

PANEL_CHANGES = 8
PANEL_PHOTOS = 12


def _staff_panel(user):
    """Recent consent changes of the teacher's pupils, and the photos a "no" now holds back."""
    followed = policy.consent_followed_pupils(user)
    return {"changes": Rows(service.recent_changes(followed, limit=PANEL_CHANGES)),
            "photos": Rows(service.withdrawn_photos(albums_policy.visible_photos(user), followed)
                           .limit(PANEL_PHOTOS)),
            "groups": policy.consent_group_list(user)}


def _staff_card(values):
    """Hidden without changes or photos held back."""
    return values if values["changes"] or values["photos"] else None


def _parent_panel(user):
    """A reminder for parents: per child, how many categories have no choice yet."""
    # = policy.consent_children for a parent (the only role with this panel), shared with
    # the other panels of the page
    children = authz.visible_pupil_list(user)
    if all(hasattr(child, "open_consent") for child in children):  # read with the children
        counts = {child.id: child.open_consent for child in children}
    else:
        counts = service.open_choice_counts([child.id for child in children])
    open_choices = [(child, counts[child.id]) for child in children if counts.get(child.id)]
    return {"open_choices": open_choices} if open_choices else None


NAV_ITEMS = (NavItem("consent.index", _l("Photo consent"), order=70),)
CHILD_COLUMNS = {"open_consent": service.open_choices_column}
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/consent/home_parent.html", 6, _parent_panel),
    HomePanel((ROLE_STAFF,), "partials/consent/home_staff.html", 15, _staff_panel, _staff_card),
)
