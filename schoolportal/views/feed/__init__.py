"""The group feed and school-wide news: the timeline, posts, reactions, the editor.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("feed", __name__)
PAGES = ("comments", "editor", "timeline")
