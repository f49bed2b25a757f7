"""Permission slips per child, reminders, and "gelezen en begrepen" on posts.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("slips", __name__)
PAGES = ("answering", "staff", "reads")
