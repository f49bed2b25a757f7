"""Mijn account › Meldingen: devices with push, choices per kind, quiet hours.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
PAGES = ("settings",)
