"""Meetings: the family's booking grid, individual requests, the round editor, the schedule.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
PAGES = ("booking", "requests", "rounds", "schedule")
