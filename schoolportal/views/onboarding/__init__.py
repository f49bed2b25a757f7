"""Becoming a user: activating an invitation, and choosing a new password when it is forgotten.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("onboarding", __name__)
PAGES = ("activation",)
