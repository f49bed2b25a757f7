"""Absence reporting and leave requests."""

from flask import Blueprint

bp = Blueprint("absence", __name__)
