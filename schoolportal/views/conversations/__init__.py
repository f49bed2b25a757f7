"""Conversations: the inbox, one conversation, new conversations, the group directory.

`bp` is made here; the page modules in PAGES add their routes to it when create_app
imports them (so this package imports none of its pages).
"""

from flask import Blueprint

bp = Blueprint("conversations", __name__)
PAGES = ("directory", "inbox", "new")
