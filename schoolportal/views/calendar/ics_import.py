"""Importing the school's year planning from an .ics file: upload, preview, confirm."""

import json

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.calendar import ics, policy, service
from schoolportal.calendar.forms import WHOLE_SCHOOL, ImportConfirmForm, ImportUploadForm
from schoolportal.core.rendering import render_page
from schoolportal.imports.service import clean_file_name
from schoolportal.views.calendar import bp

SHOWN_ERRORS = 50  # a file full of mistakes needs the first ones, not hundreds


@bp.get("/agenda/import")
@authz.staff_only
def import_upload():
    """The upload form."""
    return _upload_page(_upload_form(formdata=None))


@bp.post("/agenda/import")
@authz.staff_only
def import_preview():
    """Read the file and show what importing it would do; nothing is saved yet."""
    form = _upload_form()
    if not form.validate_on_submit():
        return _upload_page(form, status=422)
    try:
        plan = ics.read_import(ics.read_limited(form.file.data.stream))
    except ics.ImportFileError as error:
        form.file.errors = [*form.file.errors, error.message]
        return _upload_page(form, status=422)
    file_name = clean_file_name(form.file.data.filename or "jaarplanning.ics")
    if not plan.ok:
        return _preview_page(plan, None, None, file_name, status=422)
    outcome = service.import_outcome(current_user, plan.events)
    kept = None
    if outcome.new or outcome.updates:
        kept = service.keep_import(plan.events, file_name, form.audience.data, current_user)
    return _preview_page(plan, outcome, kept, file_name)


@bp.post("/agenda/import/confirm")
@authz.staff_only
def import_confirm():
    """Import the checked file exactly as its preview showed it."""
    form = ImportConfirmForm()
    kept = policy.own_calendar_import_or_404(
        current_user, form.key.data if form.validate_on_submit() else None)
    outcome = None
    if kept.applied_at is None:
        stored = json.loads(kept.plan)
        if not _may_plan_for(stored["audience"]):
            flash(_("You can no longer plan for the group you chose. Nothing was imported."),
                  "error")
            return redirect(url_for("calendar.import_upload"))
        events = [ics.ImportedEvent.from_json(e) for e in stored["events"]]
        try:
            outcome = service.apply_import(kept, current_user, events, stored["audience"])
        except service.ImportConflict:
            flash(_("Someone imported the same activities at this very moment. Nothing was "
                    "changed: upload the file again to see what it would still do."), "error")
            return redirect(url_for("calendar.import_upload"))
    if outcome is None:
        flash(_("This file has been imported already; nothing was changed."), "info")
    else:
        flash(_("Import done: %(new)d new activities, %(changed)d changed.",
                new=len(outcome.new), changed=len(outcome.updates)), "success")
    return redirect(url_for("calendar.month"))


def _may_plan_for(audience):
    """True when this user may still plan for the stored audience."""
    if audience == WHOLE_SCHOOL:
        return policy.may_plan_for_whole_school(current_user)
    return any(str(g.id) == audience for g in policy.calendar_groups(current_user))


def _upload_form(**kwargs):
    """The upload form with the audiences this user may choose."""
    return ImportUploadForm(groups=list(policy.calendar_groups(current_user)), **kwargs,
                            whole_school_allowed=policy.may_plan_for_whole_school(current_user))


def _upload_page(form, status=200):
    """The upload page; file errors are shown next to the file field."""
    return render_page("calendar/import_upload.html", status=status, form=form,
                       max_kb=ics.MAX_BYTES // 1024, max_events=ics.MAX_EVENTS)


def _preview_page(plan, outcome, kept, file_name, status=200):
    """What the file would do, with the confirm button only when there is something to do."""
    confirm_form = ImportConfirmForm(formdata=None, key=kept.key) if kept else None
    return render_page("calendar/import_preview.html", status=status, plan=plan,
                       outcome=outcome, file_name=file_name, confirm_form=confirm_form,
                       shown_errors=plan.errors[:SHOWN_ERRORS])
