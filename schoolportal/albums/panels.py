"""Where photo albums show up outside their own pages: the menu."""

from flask_babel import lazy_gettext as _l

from schoolportal.core.hooks import NavItem

NAV_ITEMS = (NavItem("albums.index", _l("Photo albums"), order=25),)
