"""Guardians of a pupil: inviting, resending and withdrawing invitations.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("invitations", __name__)
PAGES = ("guardians",)
