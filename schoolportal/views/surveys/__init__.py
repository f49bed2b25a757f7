"""Surveys and calls for help: building, answering, signing up, results.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
PAGES = ("answers", "builder", "calls", "results")
