"""Administration: the start page, groups, pupils, staff and the sent mail.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)
PAGES = ("groups", "mail", "pupils", "staff")
