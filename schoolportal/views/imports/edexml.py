"""Keeping pupils in step with the school administration: upload EDEXML, check, apply."""

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import worker
from schoolportal.core.rendering import render_page
from schoolportal.imports import edexml, edexml_service, policy
from schoolportal.imports.edexml_example import example_edexml
from schoolportal.imports.forms import ConfirmForm, EdexmlUploadForm
from schoolportal.imports.service import PreviewChanged, clean_file_name
from schoolportal.views.imports import bp
from schoolportal.views.imports.pupils import upload_page

SHOWN = 100  # rows per list on the page; the command line lists every one


@bp.post("/admin/import/edexml")
@authz.admin_only
def edexml_preview():
    """Read the export and show what applying it would change; nothing is saved yet."""
    form = EdexmlUploadForm(prefix="edexml")
    if not form.validate_on_submit():
        return upload_page(edexml_form=form, status=422)
    try:
        data = edexml.read_limited(form.file.data.stream)
    except edexml.EdexmlFileError as error:
        return upload_page(edexml_form=form, status=422, edexml_errors=[error.args[0]])
    file_name = clean_file_name(form.file.data.filename or "EDEX.XML")
    plan = edexml_service.preview(data, worker.school_today(), file_name)
    if plan.file_errors:
        return upload_page(edexml_form=form, status=422, edexml_errors=plan.file_errors)
    kept = None
    if plan.ok and plan.has_changes:
        kept = edexml_service.keep_preview(plan, file_name, current_user)
    return _preview_page(plan, kept, file_name, status=200 if plan.ok else 422)


@bp.post("/admin/import/edexml/apply")
@authz.admin_only
def edexml_apply():
    """Apply the checked export exactly as its preview showed it."""
    form = ConfirmForm()
    key = form.key.data if form.validate_on_submit() else None
    kept = policy.own_edexml_import_or_404(current_user, key)
    try:
        plan = edexml_service.confirm(kept, current_user, worker.school_today())
    except PreviewChanged as changed:
        return _preview_page(changed.plan, kept if changed.plan.ok else None, kept.file_name,
                             status=409, changed=True)
    except edexml_service.ImportConflict:
        flash(_("Someone changed the same pupils or groups at the same moment, so nothing was "
                "imported. Upload the file again."), "error")
        return redirect(url_for("imports.upload"))
    if plan is None:
        flash(_("This file has been imported already; nothing was changed."), "info")
    else:
        flash(_("Import done: %(groups)d new groups, %(new)d new pupils, %(changed)d changed "
                "(%(moved)d moved), %(teachers)d teachers invited.",
                groups=len(plan.new_groups), new=len(plan.new_pupils),
                changed=len(plan.updated), moved=len(plan.moved),
                teachers=len(plan.new_teachers)), "success")
    return redirect(url_for("imports.upload"))


@bp.get("/admin/import/voorbeeld-edex.xml")
@authz.admin_only
def edexml_example():
    """An example EDEXML file of this school year (three pupils in a new Groep 4)."""
    return Response(example_edexml(worker.school_today()), mimetype="application/xml",
                    headers={"Content-Disposition": "attachment; filename=voorbeeld-edex.xml"})


def _preview_page(plan, kept, file_name, status=200, changed=False):
    """What the export would change, with the apply button only when it may be applied."""
    confirm_form = ConfirmForm(formdata=None, key=kept.key) if kept else None
    return render_page("imports/edexml_preview.html", "partials/imports/edexml_preview.html",
                       status=status, plan=plan, file_name=file_name, shown=SHOWN,
                       confirm_form=confirm_form, changed=changed)
