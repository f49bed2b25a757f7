"""Where feature areas plug into shared pages: the menu, the home page and the demo.

A feature registers itself from its own module, so adding one does not mean editing the
shared templates:

    hooks.nav_item("calendar.month", _l("Jaarkalender"), order=30)
    @hooks.home_panel(roles=(ROLE_PARENT,), template="partials/absence/home.html", order=10)
    def absence_panel(user): return {"children": ...}   # None hides the panel
    @hooks.demo_example
    def seed_absence(today): ...
"""

from dataclasses import dataclass, field

from .models import ROLES


@dataclass(frozen=True)
class NavItem:
    """A link in the main menu."""

    endpoint: str
    label: object  # a lazy string
    roles: tuple = ROLES
    order: int = 50
    badge: object = None  # function(user) -> int shown next to the label (e.g. unread)


@dataclass(frozen=True)
class HomePanel:
    """A card on the home page of some roles."""

    roles: tuple
    template: str
    order: int
    context: object = field(compare=False)  # function(user) -> dict, or None to hide


NAV_ITEMS: list[NavItem] = []
HOME_PANELS: list[HomePanel] = []
DEMO_EXAMPLES: list = []


def nav_item(endpoint, label, roles=ROLES, order=50, badge=None):
    """Add a link to the main menu for these roles."""
    NAV_ITEMS.append(NavItem(endpoint, label, tuple(roles), order, badge))
    NAV_ITEMS.sort(key=lambda item: item.order)


def home_panel(roles, template, order=50):
    """Decorate a function(user) -> dict that fills a home-page card for these roles."""

    def register(function):
        HOME_PANELS.append(HomePanel(tuple(roles), template, order, function))
        HOME_PANELS.sort(key=lambda panel: panel.order)
        return function

    return register


def demo_example(function):
    """Register a function(today) that adds this feature's examples to the demo school."""
    DEMO_EXAMPLES.append(function)
    return function


def nav_for(user, path, url_for):
    """The menu items this user sees: dicts with url, label, current and badge."""
    items = []
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        url = url_for(item.endpoint)
        items.append({"url": url, "label": item.label, "current": path.startswith(url),
                      "badge": item.badge(user) if item.badge else 0})
    return items


def panels_for(user):
    """The home-page cards for this user: dicts with template and the panel's values."""
    panels = []
    for panel in HOME_PANELS:
        if user.role in panel.roles:
            values = panel.context(user)
            if values is not None:
                panels.append({"template": panel.template, **values})
    return panels
