"""Where the rollover shows up outside its own pages: the menu (the office; teachers' archive)."""

from flask_babel import lazy_gettext as _l

from schoolportal.core.hooks import NavItem
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF

NAV_ITEMS = (
    NavItem("rollover.preview", _l("School year"), roles=(ROLE_ADMIN,), order=90),
    NavItem("rollover.archive", _l("Archive"), roles=(ROLE_STAFF,), order=90),
)
