"""A user's own account: profile, language, mail choice, photo and password.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("account", __name__)
PAGES = ("profile", "passkeys", "second_factor")
