"""The spaces: the school-wide space and one space per group.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("spaces", __name__)
PAGES = ("pages",)
