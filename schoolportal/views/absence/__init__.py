"""Absence pages: parents report a child absent or ask for leave; staff read the reports.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("absence", __name__)
PAGES = ("leave", "office", "reports")
