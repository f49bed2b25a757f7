"""Coaching and research footage: staff-only media with a destruction date.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("coaching", __name__)
PAGES = ("footage",)
