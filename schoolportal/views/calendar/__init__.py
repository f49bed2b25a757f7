"""The year calendar: month, agenda and year pages, planning, the private feed, .ics import.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
PAGES = ("edit", "feed", "ics_import", "pages")
