"""How the portal runs: /healthz for a monitor, the system page for admins.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("system", __name__)
PAGES = ("health", "status")
