"""Where coaching footage shows up outside its own pages: the menu, for staff."""

from flask_babel import lazy_gettext as _l

from schoolportal.core.hooks import NavItem
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF

NAV_ITEMS = (NavItem("coaching.index", _l("Coaching footage"), roles=(ROLE_ADMIN, ROLE_STAFF),
                     order=70),)
