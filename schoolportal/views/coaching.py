"""Coaching and research footage: staff-only media with a destruction date (issue 5)."""

from flask import Blueprint

bp = Blueprint("coaching", __name__)
