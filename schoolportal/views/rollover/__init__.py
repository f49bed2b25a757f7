"""The school-year rollover and the archive of last years' groups.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("rollover", __name__)
PAGES = ("pages",)
