"""Photo consent: parents' choices per child, the history, the staff overview (issue 5)."""

from flask import Blueprint

bp = Blueprint("consent", __name__)
