"""Where conversations show up outside their own pages: the menu (unread count), the home card."""

from flask_babel import lazy_gettext as _l

from schoolportal.conversations import service
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF

HOME_UNREAD = 5


def _unread_panel(user):
    """Staff: the conversations with a message they have not read yet; hidden when none."""
    rows, members = service.inbox_queries(user, limit=HOME_UNREAD, unread_only=True)
    return {"rows": Rows(rows), "members": Rows(members), "user": user}


def _unread_card(values):
    unread = service.inbox_entries(values["user"], values["rows"], values["members"])
    return {"unread": unread} if unread else None


NAV_ITEMS = (NavItem("conversations.inbox", _l("Messages"), order=40,
                     badge=lambda user: service.unread_conversations(user),
                     tab_roles=(ROLE_STAFF, ROLE_ADMIN), icon="messages"),)
HOME_PANELS = (HomePanel((ROLE_STAFF, ROLE_ADMIN), "partials/conversations/home.html", 6,
                         _unread_panel, _unread_card),)
