"""The group feed and school-wide news: posts, comments, read receipts."""

from flask import Blueprint

bp = Blueprint("feed", __name__)
