"""Photo albums: upload, tagging, grid, viewer and the authorized photo route (issue 5)."""

from flask import Blueprint

bp = Blueprint("albums", __name__)
