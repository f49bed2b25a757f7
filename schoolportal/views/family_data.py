"""Family data export and erasure (issue 11)."""

from flask import Blueprint

bp = Blueprint("family_data", __name__)
