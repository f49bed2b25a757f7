"""Feature areas plug into the menu and the home page through hooks."""

import pytest
from flask import Blueprint

from schoolportal import authz
from schoolportal.core import hooks
from schoolportal.core.models import ROLE_PARENT
from tests.support.web import PARENT, TEACHER, login


@pytest.fixture
def plugged(own_app, tmp_path):
    """A tiny feature with a menu link and a parent home panel (on an app of its own, since it
    adds a route), removed afterwards; yields logging in to that app."""
    bp = Blueprint("gadget", __name__, template_folder=str(tmp_path))
    (tmp_path / "gadget_panel.html").write_text("<p>Panel for {{ panel.name }}</p>")

    @bp.get("/gadget")
    @authz.signed_in
    def page():
        return "gadget"

    own_app.register_blueprint(bp)
    hooks.add_nav_items([hooks.NavItem("gadget.page", "Gadget", roles=(ROLE_PARENT,), order=99,
                                       badge=lambda user: 3)])
    hooks.add_home_panels([
        hooks.HomePanel((ROLE_PARENT,), "gadget_panel.html", 50,
                        lambda user: {"name": user.display_name}),
        hooks.HomePanel((ROLE_PARENT,), "gadget_panel.html", 50, lambda user: None),  # hidden
    ])
    def logged_in(email):
        client = own_app.test_client()
        assert login(client, email).status_code == 302
        return client

    yield logged_in
    hooks.NAV_ITEMS[:] = [i for i in hooks.NAV_ITEMS if i.endpoint != "gadget.page"]
    hooks.HOME_PANELS[:] = [p for p in hooks.HOME_PANELS if p.template != "gadget_panel.html"]


def test_a_feature_adds_a_menu_link_with_a_badge_for_its_roles(plugged):
    parent, teacher = plugged(PARENT), plugged(TEACHER)
    html = parent.get("/").get_data(as_text=True)
    assert 'href="/gadget"' in html and '<span class="nav-badge">3' in html
    assert 'href="/gadget"' not in teacher.get("/").get_data(as_text=True)


def test_a_feature_adds_a_home_panel_for_its_roles(plugged):
    parent, teacher = plugged(PARENT), plugged(TEACHER)
    assert parent.get("/").get_data(as_text=True).count("Panel for Eva Jansen") == 1
    assert "Panel for" not in teacher.get("/").get_data(as_text=True)


def test_the_cards_numbers_are_counted_together_in_one_statement(db_ctx, monkeypatch):
    """Counts that home cards ask for (hooks.Count) are all answered by one statement."""
    from schoolportal.core.models import Group, Pupil, User
    from tests.support.queries import QueryCounter

    cards = [hooks.HomePanel((ROLE_PARENT,), "a.html", 1, lambda user: {
                 "groups": hooks.Count(Group.select()), "label": "a"}),
             hooks.HomePanel((ROLE_PARENT,), "b.html", 2, lambda user: {
                 "pupils": hooks.Count(Pupil.select()), "none": hooks.Count(
                     Pupil.select().where(Pupil.id < 0))})]
    monkeypatch.setattr(hooks, "HOME_PANELS", cards)
    parent = User.by_email(PARENT)
    with QueryCounter() as counter:
        panels = hooks.panels_for(parent)
    assert counter.count == 1
    assert [(p["groups"], p["label"]) for p in panels[:1]] == [(Group.select().count(), "a")]
    assert (panels[1]["pupils"], panels[1]["none"]) == (Pupil.select().count(), 0)
