"""Importing pupils and guardians from a CSV file: upload, check (preview), confirm."""

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import authz, pupil_csv, pupil_import, worker
from ..forms.imports import ConfirmForm, UploadForm
from ..rendering import render_page

bp = Blueprint("imports", __name__)
SHOWN_ERRORS = 200  # a file full of mistakes needs the first ones, not a page of thousands


@bp.get("/admin/import")
@authz.admin_only
def upload():
    """The upload form, with the columns the file must have."""
    return _upload_page(UploadForm())


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
    plan = pupil_import.preview(data, worker.school_today())
    if plan.file_errors:
        return _upload_page(form, status=422, file_errors=plan.file_errors)
    file_name = pupil_import.clean_file_name(form.file.data.filename)
    kept = None
    if plan.ok and plan.has_changes:
        kept = pupil_import.keep_preview(plan, file_name, current_user)
    return _preview_page(plan, kept, file_name, status=200 if plan.ok else 422)


@bp.post("/admin/import/confirm")
@authz.admin_only
def confirm():
    """Import the checked file exactly as its preview showed it."""
    form = ConfirmForm()
    key = form.key.data if form.validate_on_submit() else None
    kept = authz.own_pupil_import_or_404(current_user, key)
    try:
        plan = pupil_import.confirm(kept, current_user, worker.school_today())
    except pupil_import.PreviewChanged as changed:
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
    """The upload page; file errors are shown next to the file field."""
    form.file.errors = [*form.file.errors, *file_errors]
    return render_page("imports/upload.html", status=status, form=form,
                       columns=pupil_csv.COLUMNS, max_mb=pupil_csv.MAX_BYTES // (1024 * 1024),
                       max_rows=pupil_csv.MAX_ROWS)


def _preview_page(plan, kept, file_name, status=200, changed=False):
    """What the file would change, with the confirm button only when it may be applied."""
    confirm_form = ConfirmForm(formdata=None, key=kept.key) if kept else None
    return render_page("imports/preview.html", status=status, plan=plan, file_name=file_name,
                       confirm_form=confirm_form, upload_form=UploadForm(formdata=None),
                       changed=changed, shown_errors=plan.errors[:SHOWN_ERRORS])
