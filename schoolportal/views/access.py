"""Access requests: the public request form and the staff queue."""

from flask import Blueprint

bp = Blueprint("access", __name__)
