"""Private conversations between parents and staff, and the group directory."""

from flask import Blueprint

bp = Blueprint("conversations", __name__)
