"""Photo consent: parents' choices per child, the history, the staff overview, the categories.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("consent", __name__)
PAGES = ("categories", "choices", "overview")
