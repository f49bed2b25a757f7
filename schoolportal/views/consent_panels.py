"""Where photo consent shows up outside its own pages: the menu and the teachers' home card."""

from flask_babel import lazy_gettext as _l

from .. import authz, consent, hooks
from ..models import ROLE_PARENT, ROLE_STAFF

PANEL_CHANGES = 8
PANEL_PHOTOS = 12


def _staff_panel(user):
    """Recent consent changes of the teacher's pupils, and the photos a "no" now holds back."""
    followed = authz.consent_followed_pupils(user)
    changes = list(consent.recent_changes(followed, limit=PANEL_CHANGES))
    photos = list(consent.withdrawn_photos(authz.visible_photos(user), followed)
                  .limit(PANEL_PHOTOS))
    if not changes and not photos:
        return None
    return {"changes": changes, "photos": photos,
            "groups": list(authz.consent_groups(user))}


def _parent_panel(user):
    """A reminder for parents: per child, how many categories have no choice yet."""
    children = list(authz.consent_children(user))
    categories = [c.id for c in consent.categories()]
    choices = consent.choices_of([c.id for c in children])
    open_choices = [(child, sum((child.id, c) not in choices for c in categories))
                    for child in children]
    open_choices = [(child, count) for child, count in open_choices if count]
    return {"open_choices": open_choices} if open_choices else None


hooks.nav_item("consent.index", _l("Photo consent"), order=70)
hooks.home_panel((ROLE_PARENT,), "partials/consent/home_parent.html", order=45)(_parent_panel)
hooks.home_panel((ROLE_STAFF,), "partials/consent/home_staff.html", order=15)(_staff_panel)
