"""The audit log and the retention page for admins (issue 11).

Both pages only read. The audit log has no route that changes or deletes an entry: the
model refuses it too, and only the retention purge removes entries past their time.
"""

from flask import request
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import audit, retention, worker
from schoolportal.core import retention as core_retention
from schoolportal.core.models import JobRun
from schoolportal.core.rendering import render_page
from schoolportal.privacy_admin import audit_log, policy
from schoolportal.privacy_admin.forms import AuditFilterForm
from schoolportal.views.privacy_admin import bp

PURGE_JOB = "retention_purge"
RUNS_SHOWN = 5


@bp.get("/admin/audit")
@authz.admin_only
def audit_page():
    """The audit log, newest first, filtered by action and period, 50 entries a page."""
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return _audit_page(form, [], None, status=422)
    entries, next_before = audit_log.page(
        policy.audit_entries(current_user), form.action.data or "", form.since.data,
        form.until.data, form.before.data)
    return _audit_page(form, entries, next_before)


@bp.get("/admin/retention")
@authz.admin_only
def retention_page():
    """The retention policy per rule, what the next purge removes, and when it last ran."""
    rows = []
    for rule, due in retention.preview(worker.school_today()):
        setting, days = core_retention.setting_of(rule.key)
        rows.append({"rule": rule, "due": due, "setting": setting, "days": days})
    runs = list(JobRun.select().where(JobRun.name == PURGE_JOB)
                .order_by(JobRun.day.desc()).limit(RUNS_SHOWN))
    return render_page("privacy_admin/retention.html", rows=rows, runs=runs)


def _audit_page(form, entries, next_before, status=200):
    """The audit page, or only its list for htmx."""
    query = {key: value for key, value in request.args.items()
             if key in ("action", "since", "until") and value}
    return render_page(
        "privacy_admin/audit.html", "partials/privacy_admin/audit_entries.html",
        status=status, form=form, entries=entries, next_before=next_before,
        subjects=audit_log.subjects(entries), details_of=audit_log.details_of,
        actions=audit.ACTIONS, query=query, older=form.before.data is not None)
