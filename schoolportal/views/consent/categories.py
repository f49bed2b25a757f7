"""Photo consent for admins: the school's categories (add, rename, describe, deactivate) and
the yearly reminder to parents."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from schoolportal import authz
from schoolportal.consent import policy, reminder, service
from schoolportal.consent.forms import CategoryForm, NewCategoryForm, ReminderForm
from schoolportal.core import worker
from schoolportal.core.rendering import render_page
from schoolportal.views.consent import bp


@bp.get("/toestemming/categorieen")
@authz.admin_only
def categories():
    """Every category (also deactivated ones) and the form to add one."""
    return _list_page(NewCategoryForm(formdata=None))


@bp.post("/toestemming/categorieen")
@authz.admin_only
def category_new():
    """Add a category; a key that is taken is refused by the database."""
    form = NewCategoryForm()
    if not form.validate_on_submit():
        return _list_page(form, status=422)
    try:
        category = service.save_category(None, **form.values())
    except service.ConsentError as error:
        form.key.errors.append(str(error))
        return _list_page(form, status=422)
    flash(_("Category \"%(name)s\" added.", name=category.name), "success")
    return redirect(url_for(".categories"))


@bp.get("/toestemming/categorieen/<int:category_id>")
@authz.admin_only
def category_edit(category_id):
    """The form to change one category."""
    category = _category_or_404(category_id)
    form = CategoryForm(formdata=None, obj=category)
    form.space.data = category.space or ""
    return _edit_page(category, form)


@bp.post("/toestemming/categorieen/<int:category_id>")
@authz.admin_only
def category_edit_submit(category_id):
    """Store the new name, description, space or active state."""
    category = _category_or_404(category_id)
    form = CategoryForm()
    if not form.validate_on_submit():
        return _edit_page(category, form, status=422)
    category = service.save_category(category, **form.values())
    flash(_("Category \"%(name)s\" saved.", name=category.name), "success")
    return redirect(url_for(".categories"))


@bp.post("/toestemming/herinnering")
@authz.admin_only
def remind():
    """Ask every parent with a child at school to check their choices (once a day at most)."""
    if not ReminderForm().validate_on_submit():
        abort(400)
    sent = reminder.remind_parents(worker.school_today())
    if sent is None:
        flash(_("The reminder was sent today already; nothing was sent again."), "error")
    else:
        flash(ngettext("The reminder is on its way to %(num)d parent.",
                       "The reminder is on its way to %(num)d parents.", sent), "success")
    return redirect(url_for(".categories"))


def _category_or_404(category_id):
    """Any category, also a deactivated one; 404 for a guessed id."""
    return policy.consent_category_or_404(current_user, category_id)


def _list_page(form, status=200):
    """The categories with the form to add one."""
    today = worker.school_today()
    return render_page("consent/categories.html", status=status, form=form,
                       categories=list(service.categories(include_inactive=True)),
                       reminder_form=ReminderForm(formdata=None),
                       reminder_count=reminder.parents_to_remind(today).count(),
                       reminder_last=reminder.last_sent())


def _edit_page(category, form, status=200):
    """One category's form."""
    return render_page("consent/category_edit.html", status=status, category=category,
                       form=form)
