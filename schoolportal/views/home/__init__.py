"""The home page of each role.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("home", __name__)
PAGES = ("start",)
