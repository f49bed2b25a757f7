"""Importing pupils: CSV with guardians, and EDEXML from the school administration.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("imports", __name__, cli_group=None)  # `flask import-edexml`, not nested
PAGES = ("pupils", "edexml", "command")
