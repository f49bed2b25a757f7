"""The year calendar and the private ICS feed."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
