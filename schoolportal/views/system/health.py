"""/healthz for a monitor: whether the database answers and the worker runs, no data."""

from flask import jsonify

from schoolportal import authz
from schoolportal.core import database
from schoolportal.system import health
from schoolportal.views.system import bp


@bp.get("/healthz")
@authz.public
@database.opens_own_connection
def healthz():
    """200 when the database answers and the worker is on time, else 503; states only."""
    result = health.check()
    response = jsonify(result.as_dict())
    response.status_code = 200 if result.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response

