"""Feature areas plug into the menu and the home page through hooks."""

import pytest
from flask import Blueprint

from schoolportal import authz, hooks
from schoolportal.models import ROLE_PARENT


@pytest.fixture
def plugged(app, tmp_path):
    """A tiny feature with a menu link and a parent home panel, removed afterwards."""
    bp = Blueprint("gadget", __name__, template_folder=str(tmp_path))
    (tmp_path / "gadget_panel.html").write_text("<p>Panel for {{ panel.name }}</p>")

    @bp.get("/gadget")
    @authz.signed_in
    def page():
        return "gadget"

    app.register_blueprint(bp)
    hooks.nav_item("gadget.page", "Gadget", roles=(ROLE_PARENT,), order=99,
                   badge=lambda user: 3)
    hooks.home_panel((ROLE_PARENT,), "gadget_panel.html")(lambda user: {"name": user.display_name})
    hooks.home_panel((ROLE_PARENT,), "gadget_panel.html")(lambda user: None)  # hidden
    yield
    del hooks.NAV_ITEMS[-1]
    hooks.HOME_PANELS[:] = [p for p in hooks.HOME_PANELS if p.template != "gadget_panel.html"]


def test_a_feature_adds_a_menu_link_with_a_badge_for_its_roles(plugged, parent, teacher):
    html = parent.get("/").get_data(as_text=True)
    assert 'href="/gadget"' in html and '<span class="nav-badge">3' in html
    assert 'href="/gadget"' not in teacher.get("/").get_data(as_text=True)


def test_a_feature_adds_a_home_panel_for_its_roles(plugged, parent, teacher):
    assert parent.get("/").get_data(as_text=True).count("Panel for Eva Jansen") == 1
    assert "Panel for" not in teacher.get("/").get_data(as_text=True)
