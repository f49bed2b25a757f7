"""Surveys and calls for help."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
