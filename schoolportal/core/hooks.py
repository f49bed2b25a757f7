"""Where areas plug into shared pages: the menu and the home page.

An area declares what it adds in its `panels.py`, and `create_app` adds it here (see
`schoolportal.areas`), so adding an area does not mean editing the shared templates and
nothing registers itself as a side effect of being imported:

    NAV_ITEMS = (hooks.NavItem("calendar.month", _l("Jaarkalender"), order=30),)
    HOME_PANELS = (hooks.HomePanel((ROLE_PARENT,), "partials/absence/home.html", 10, panel),)
    def panel(user): return {"children": Rows(query)}   # None hides the panel
    CHILD_COLUMNS = {"open_consent": open_choices_column}  # per-child figures, see below

A card's values are read together: a `Count(query)` among them becomes its number and a
`Rows(query, then=...)` its list, all in one statement with every other card's and the
menu's badges (core.together); `ready(values)` then finishes the card's values from what
was read, or hides it (None).

A parent's home page reads the children in one statement; a figure per child that a card
needs (how many consent choices are open) can ride along as a column: CHILD_COLUMNS maps
an attribute name to a function returning an SQL expression about the outer `Pupil` row
(a correlated subquery). The card finds it on each child of `authz.visible_pupil_list`
when the home page read them, and asks for it itself otherwise.
"""

from dataclasses import dataclass

from flask import g, has_request_context

from schoolportal.core.models import ROLES
from schoolportal.core.together import Count, Rows, read_together

__all__ = ["Count", "HomePanel", "NavItem", "Rows", "count_all", "nav_for", "panels_for",
           "read_with_badges"]

BADGE_MAX = 99  # a badge shows at most this number


@dataclass(frozen=True)
class NavItem:
    """A link in the main menu."""

    endpoint: str
    label: object  # a lazy string
    roles: tuple = ROLES
    order: int = 50
    # function(user) -> the number next to the label (e.g. unread): an int, or a query whose
    # rows are what is counted (the menu counts all such queries in one statement)
    badge: object = None
    tab_roles: tuple = ()  # roles that get this link in the phone's bottom tab bar
    tab_label: object = None  # a shorter label for the tab bar (default: label)
    icon: str = ""  # the tab bar's icon (templates/webapp/icons.html)


@dataclass(frozen=True)
class HomePanel:
    """A card on the home page of some roles."""

    roles: tuple
    template: str
    order: int
    context: object  # function(user) -> dict (Count and Rows read later), or None to hide
    # function(values) -> the card's values once its Counts and Rows are read, or None to hide
    ready: object = None


NAV_ITEMS: list[NavItem] = []
HOME_PANELS: list[HomePanel] = []
CHILD_COLUMNS: dict = {}  # attribute name -> function() -> SQL expression about Pupil


def add_child_columns(columns):
    """Add per-child figures read with a parent's children on the home page."""
    CHILD_COLUMNS.update(columns)


def add_nav_items(items):
    """Add links to the main menu (an endpoint added again replaces its link)."""
    endpoints = {item.endpoint for item in items}
    NAV_ITEMS[:] = sorted([i for i in NAV_ITEMS if i.endpoint not in endpoints] + list(items),
                          key=lambda item: item.order)


def add_home_panels(panels):
    """Add home-page cards (the same card added again replaces the earlier one)."""
    new = set(panels)
    HOME_PANELS[:] = sorted([p for p in HOME_PANELS if p not in new] + list(panels),
                            key=lambda panel: panel.order)


def nav_for(user, path, url_for):
    """The menu items this user sees: dicts with url, label, current and badge."""
    items, to_count = [], []
    known = g.get("nav_badges") if has_request_context() else None  # see panels_for
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        url = url_for(item.endpoint)
        if known is not None:
            badge = known.get(item.endpoint, 0)
        else:
            badge = item.badge(user) if item.badge else 0
        entry = {"url": url, "label": item.label, "current": path.startswith(url),
                 "badge": badge, "tab": user.role in item.tab_roles, "icon": item.icon,
                 "tab_label": item.tab_label or item.label}
        if not isinstance(badge, int):
            to_count.append(entry)
        items.append(entry)
    for entry, count in zip(to_count, count_all([e["badge"] for e in to_count]), strict=True):
        entry["badge"] = count
    for entry in items:
        entry["badge"] = min(entry["badge"], BADGE_MAX)
    return items


def count_all(queries):
    """How many rows each query has, in one statement: SELECT (SELECT COUNT(1) ...), ..."""
    return read_together([Count(query) for query in queries])


def read_with_badges(user, *dicts, badges=True):
    """Replace each Count and Rows among the values of these dicts by what it reads, in one
    statement; with `badges`, the menu's badges are counted in it too (kept for nav_for, so a
    page that shows the menu pays no statement of its own for them)."""
    places = [(values, key) for values in dicts for key, value in values.items()
              if isinstance(value, Count | Rows)]
    items = [values[key] for values, key in places]
    queried = []
    if places and badges and has_request_context() and "nav_badges" not in g:
        known = {item.endpoint: item.badge(user) if item.badge else 0
                 for item in NAV_ITEMS if user.role in item.roles}
        queried = [endpoint for endpoint, badge in known.items() if not isinstance(badge, int)]
        items += [Count(known[endpoint]) for endpoint in queried]
    read = read_together(items)
    if queried:
        known.update(zip(queried, read[len(places):], strict=True))
        g.nav_badges = known
    for (values, key), value in zip(places, read, strict=False):
        values[key] = value


def panels_for(user):
    """The home-page cards for this user: dicts with template and the panel's values.

    Every Count among the values is replaced by its number and every Rows by its list, all
    read in one statement together with the menu's badges (kept for nav_for); then each
    panel's `ready` makes its card's values of them (or hides the card).
    """
    found = []
    for panel in HOME_PANELS:
        if user.role in panel.roles:
            values = panel.context(user)
            if values is not None:
                found.append((panel, values))
    read_with_badges(user, *(values for _panel, values in found))
    panels = []
    for panel, values in found:
        values = panel.ready(values) if panel.ready else values
        if values is not None:
            panels.append({"template": panel.template, **values})
    return panels
