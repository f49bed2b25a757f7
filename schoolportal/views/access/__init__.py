"""Access requests: the public request form and the admins' queue.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("access", __name__)
PAGES = ("requests",)
