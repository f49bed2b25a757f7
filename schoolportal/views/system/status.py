"""The admins' system page: the worker's last round, daily jobs, backups, mail, schema."""

from schoolportal import authz
from schoolportal.core.rendering import render_page
from schoolportal.system import health
from schoolportal.views.system import bp


@bp.get("/admin/system")
@authz.admin_only
def status():
    """When the worker, each daily job and the last backup ran; what waits."""
    return render_page("system/status.html", system=health.overview())
