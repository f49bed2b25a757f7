"""The full menu: on a phone everything that is not in the tab bar sits under "More"."""

from schoolportal import authz
from schoolportal.core.rendering import render_page
from schoolportal.views.webapp import bp


@bp.get("/menu")
@authz.signed_in
def menu():
    """Every space and area this user reaches, their account and logging out."""
    return render_page("webapp/menu.html")
