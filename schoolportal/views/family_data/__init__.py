"""Family data: a parent's own export, and the admins' export and erasure pages.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("family_data", __name__)
PAGES = ("erasure", "export")
