"""The audit log and the retention page for admins (issue 11)."""

from flask import Blueprint

bp = Blueprint("privacy_admin", __name__)
