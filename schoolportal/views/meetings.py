"""Report and introduction meetings: rounds, time slots, bookings."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
