"""The school-year rollover and archived groups (issue 11)."""

from flask import Blueprint

bp = Blueprint("rollover", __name__)
