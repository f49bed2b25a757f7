"""Erasing a family (admins): the confirmation page, scheduling it, calling it off."""

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin.service import today_in_school
from schoolportal.core.i18n import formatted
from schoolportal.core.rendering import render_page
from schoolportal.family_data import erasure, policy
from schoolportal.family_data.forms import CancelErasureForm, ErasureForm
from schoolportal.views.family_data import bp
from schoolportal.views.family_data.export import families_page


@bp.get("/admin/families/<int:account_id>/erase")
@authz.admin_only
def erase(account_id):
    """The confirmation: what will go at once, what later, and why."""
    account = policy.family_account_or_404(current_user, account_id)
    return _confirm_page(account, ErasureForm())


@bp.post("/admin/families/<int:account_id>/erase")
@authz.admin_only
def erase_submit(account_id):
    """Close the accounts now and schedule the rest; a second request changes nothing."""
    account = policy.family_account_or_404(current_user, account_id)
    form = ErasureForm()
    if not form.validate_on_submit():
        return _confirm_page(account, form, status=422)
    try:
        scheduled = erasure.schedule(account, form.reason.data, today_in_school(), current_user)
    except erasure.ErasureError as error:
        form.form_errors.append(str(error.message))
        return _confirm_page(account, form, status=409)
    flash(_("The accounts are closed. The family's data will be removed on %(day)s.",
            day=formatted(scheduled.due_on, "date_long")), "success")
    return redirect(url_for("family_data.families"))


@bp.post("/admin/erasures/<int:erasure_id>/cancel")
@authz.admin_only
def cancel(erasure_id):
    """Call off a scheduled erasure; the accounts that were active open again."""
    found = policy.erasure_or_404(current_user, erasure_id)
    form = CancelErasureForm()
    if not form.validate_on_submit():
        return families_page(form, status=422)
    try:
        erasure.cancel(found, current_user)
    except erasure.ErasureError as error:
        form.form_errors.append(str(error.message))
        return families_page(form, status=409)
    flash(_("The erasure has been cancelled."), "success")
    return redirect(url_for("family_data.families"))


def _confirm_page(account, form, status=200):
    """The confirmation page with the family it is about."""
    return render_page("family_data/erase.html", status=status, account=account, form=form,
                       family=erasure.family_of(account),
                       delay=current_app.config.get("ERASURE_DELAY_DAYS", 30))
