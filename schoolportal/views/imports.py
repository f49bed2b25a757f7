"""Importing pupils and guardians from a CSV file."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
