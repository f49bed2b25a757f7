"""Guardians of a pupil: inviting, resending and revoking invitations."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)
