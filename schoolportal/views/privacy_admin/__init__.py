"""The audit log and the retention page for admins.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("privacy_admin", __name__)
PAGES = ("pages",)
