"""Administration: groups, pupils, staff and guardianships."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
