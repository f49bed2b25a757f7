"""Logging in and out.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)
PAGES = ("login", "passkey_login", "second_step", "staff_second_factor")
