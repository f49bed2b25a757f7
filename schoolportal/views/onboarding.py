"""Becoming a user: activating an invitation (more flows follow in this blueprint)."""

from flask import Blueprint, abort

from .. import authz

bp = Blueprint("onboarding", __name__)


@bp.get("/activate/<token>")
@authz.public
def activate(token):
    """Placeholder until the activation form lands."""
    abort(404)
