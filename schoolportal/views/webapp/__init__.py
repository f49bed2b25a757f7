"""The portal as an installable app: manifest, service worker, offline page; the full menu.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("webapp", __name__)
PAGES = ("install", "menu")
