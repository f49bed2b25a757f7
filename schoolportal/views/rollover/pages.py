"""The school-year rollover and archived groups (issue 11)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import worker
from schoolportal.core.rendering import render_page
from schoolportal.rollover import policy, service
from schoolportal.rollover.forms import RolloverForm, pupil_choices
from schoolportal.rollover.models import YearRollover
from schoolportal.views.rollover import bp

REFUSALS = {
    "done": _l("This school year has already been rolled over. Nothing was changed."),
    "stale": _l("Pupils, groups or teachers changed since you opened the preview. "
                "Nothing was changed: check the new preview and apply it again."),
    "choice": _l("One of the choices is not a group of next school year. "
                 "Nothing was changed: choose again."),
}


@bp.get("/rollover")
@authz.admin_only
def preview():
    """The preview: next year's groups and where each pupil goes, with room for exceptions."""
    return _preview_page({})


@bp.post("/rollover/check")
@authz.admin_only
def check():
    """The preview again with the admin's exceptions applied (nothing is saved)."""
    form = RolloverForm()
    if not form.validate_on_submit():
        return _preview_page({}, message=_("The form has expired; please try again."),
                             status=422)
    return _preview_page(pupil_choices(request.form))


@bp.post("/rollover/apply")
@authz.admin_only
def apply():
    """Roll the school year over exactly as previewed, in one transaction."""
    form = RolloverForm()
    if not form.validate_on_submit():
        return _preview_page({}, message=_("The form has expired; please try again."),
                             status=422)
    choices = pupil_choices(request.form)
    try:
        record = service.apply(current_user, form.from_year.data, form.fingerprint.data,
                                choices, worker.school_today())
    except service.RolloverRefused as refused:
        status = 422 if refused.code == "choice" else 409
        return _preview_page(choices if refused.code == "stale" else {},
                             message=str(REFUSALS[refused.code]), status=status)
    flash(_("The school year %(year)s has begun: %(moved)d pupils moved, %(left)d left school.",
            year=record.to_year, moved=record.moved, left=record.left), "success")
    return redirect(url_for("rollover.preview"))


@bp.get("/archive")
@authz.staff_only
def archive():
    """Groups of earlier school years, read-only, for admins and the staff who taught them."""
    years = service.archived_years(policy.archived_groups(current_user))
    return render_page("rollover/archive.html", years=years)


def _preview_page(choices, message=None, status=200):
    """The preview page for these exceptions (a refused choice shows the plain proposal)."""
    today = worker.school_today()
    try:
        plan = service.make_plan(today, choices)
    except service.RolloverRefused:
        plan, message, status = service.make_plan(today), str(REFUSALS["choice"]), 422
    form = RolloverForm(formdata=None, from_year=plan.from_year if plan else "",
                        fingerprint=plan.fingerprint if plan else "")
    last = YearRollover.select().order_by(YearRollover.from_year.desc()).first()
    fragment = "partials/rollover/plan.html" if plan else None
    return render_page("rollover/preview.html", fragment, status=status, plan=plan, form=form,
                       message=message, last=last)
