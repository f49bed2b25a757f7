"""Photo albums: browsing albums and photos, and managing them (staff).

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("albums", __name__)
PAGES = ("browse", "manage")
