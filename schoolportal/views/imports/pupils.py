"""Importing pupils: the upload page, and pupils with guardians from a CSV file."""

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import worker
from schoolportal.core.rendering import render_page
from schoolportal.imports import edexml, edexml_service, policy, pupil_csv, service
from schoolportal.imports.forms import ConfirmForm, EdexmlUploadForm, UploadForm
from schoolportal.views.imports import bp

SHOWN_ERRORS = 200  # a file full of mistakes needs the first ones, not a page of thousands


@bp.get("/admin/import")
@authz.admin_only
def upload():
    """The upload form, with the columns the file must have."""
    return upload_page()


@bp.post("/admin/import")
@authz.admin_only
def preview():
    """Check the file and show what importing it would change; nothing is saved yet."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422)
    try:
        data = pupil_csv.read_limited(form.file.data.stream)
    except pupil_csv.ImportFileError as error:
        return _upload_page(form, status=422, file_errors=[error.args[0]])
    plan = service.preview(data, worker.school_today())
    if plan.file_errors:
        return _upload_page(form, status=422, file_errors=plan.file_errors)
    file_name = service.clean_file_name(form.file.data.filename)
    kept = None
    if plan.ok and plan.has_changes:
        kept = service.keep_preview(plan, file_name, current_user)
    return _preview_page(plan, kept, file_name, status=200 if plan.ok else 422)


@bp.post("/admin/import/confirm")
@authz.admin_only
def confirm():
    """Import the checked file exactly as its preview showed it."""
    form = ConfirmForm()
    key = form.key.data if form.validate_on_submit() else None
    kept = policy.own_pupil_import_or_404(current_user, key)
    try:
        plan = service.confirm(kept, current_user, worker.school_today())
    except service.PreviewChanged as changed:
        return _preview_page(changed.plan, kept if changed.plan.ok else None, kept.file_name,
                             status=409, changed=True)
    if plan is None:
        flash(_("This file has been imported already; nothing was changed."), "info")
    else:
        flash(_("Import done: %(new)d new pupils, %(updated)d changed, %(linked)d guardians "
                "linked, %(invited)d invitations sent.", new=len(plan.new_pupils),
                updated=len(plan.updated), linked=len(plan.links),
                invited=len(plan.invitations)), "success")
    return redirect(url_for("imports.upload"))


@bp.get("/admin/import/voorbeeld-import.csv")
@authz.admin_only
def example():
    """The example file, with a byte order mark so that Excel reads it as UTF-8."""
    return Response(
        "\ufeff" + pupil_csv.example_csv(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=voorbeeld-import.csv"},
    )


def _upload_page(form, status=200, file_errors=()):
    """The upload page; file errors are shown next to the CSV file field."""
    form.file.errors = [*form.file.errors, *file_errors]
    return upload_page(csv_form=form, status=status)


def upload_page(csv_form=None, edexml_form=None, status=200, edexml_errors=()):
    """Both upload forms, and the pupils the latest EDEXML export left out.

    For htmx, only the EDEXML card (with the flash messages) is answered.
    """
    edexml_form = edexml_form or EdexmlUploadForm(formdata=None, prefix="edexml")
    edexml_form.file.errors = [*edexml_form.file.errors, *edexml_errors]
    latest, missing = edexml_service.not_in_latest_export(worker.school_today())
    return render_page(
        "imports/upload.html", "partials/imports/edexml_update.html", status=status,
        form=csv_form or UploadForm(formdata=None), columns=pupil_csv.COLUMNS,
        max_mb=pupil_csv.MAX_BYTES // (1024 * 1024), max_rows=pupil_csv.MAX_ROWS,
        edexml_form=edexml_form, edexml_max_mb=edexml.MAX_BYTES // (1024 * 1024),
        latest=latest, not_in_export=missing)


def _preview_page(plan, kept, file_name, status=200, changed=False):
    """What the file would change, with the confirm button only when it may be applied."""
    confirm_form = ConfirmForm(formdata=None, key=kept.key) if kept else None
    return render_page("imports/preview.html", status=status, plan=plan, file_name=file_name,
                       confirm_form=confirm_form, upload_form=UploadForm(formdata=None),
                       changed=changed, shown_errors=plan.errors[:SHOWN_ERRORS])
