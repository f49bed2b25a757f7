"""Administration: the start page and groups (pupils, staff and mail in admin_*.py)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin import policy, service
from schoolportal.admin.forms import ConfirmForm, GroupForm
from schoolportal.admin.service import AdministrationError, today_in_school
from schoolportal.core.models import Group, GroupStaff, Pupil, school_year_of
from schoolportal.core.rendering import render_page
from schoolportal.views.admin import bp


@bp.get("/admin")
@authz.admin_only
def index():
    """The start page: figures and the way to each part of the administration."""
    year = school_year_of(today_in_school())
    return render_page("admin/index.html", figures=service.school_figures(year),
                       school_year=year)


@bp.get("/admin/groups")
@authz.admin_only
def groups():
    """Every group with its number of pupils and its staff (one query each)."""
    groups = ordered_groups()
    return render_page("admin/groups.html", groups=groups,
                       pupil_counts=Pupil.count_by_group(groups),
                       staff_by_group=GroupStaff.staff_by_group(groups))


@bp.get("/admin/groups/new")
@authz.admin_only
def new_group():
    """The form for a new group, in the current school year."""
    form = GroupForm(school_year=school_year_of(today_in_school()))
    return _group_page(form, None)


@bp.post("/admin/groups/new")
@authz.admin_only
def create_group():
    """Create the group; a name already used this school year is refused by the database."""
    form = GroupForm()
    group = _save_group(form, None)
    if group is None:
        return _group_page(form, None, status=422)
    flash(_("Group %(name)s has been created.", name=group.name), "success")
    return redirect(url_for("admin.groups"))


@bp.get("/admin/groups/<int:group_id>")
@authz.admin_only
def edit_group(group_id):
    """The form to rename a group or change its school year and order."""
    group = policy.administered_group_or_404(current_user, group_id)
    return _group_page(GroupForm(obj=group), group)


@bp.post("/admin/groups/<int:group_id>")
@authz.admin_only
def update_group(group_id):
    """Save the group's changes."""
    group = policy.administered_group_or_404(current_user, group_id)
    form = GroupForm()
    saved = _save_group(form, group)
    if saved is None:
        return _group_page(form, group, status=422)
    flash(_("Group %(name)s has been saved.", name=saved.name), "success")
    return redirect(url_for("admin.groups"))


@bp.post("/admin/groups/<int:group_id>/delete")
@authz.admin_only
def delete_group(group_id):
    """Delete an empty group; the database refuses while pupils belong to it."""
    group = policy.administered_group_or_404(current_user, group_id)
    form = ConfirmForm()
    try:
        service.delete_group(group)
    except AdministrationError as error:
        form.form_errors.append(str(error))
        return _group_page(GroupForm(obj=group), group, delete_form=form, status=409)
    flash(_("Group %(name)s has been deleted.", name=group.name), "success")
    return redirect(url_for("admin.groups"))


def ordered_groups():
    """Every group in the school's order, newest school year first."""
    return list(policy.administered_groups(current_user).order_by(
        Group.school_year.desc(), Group.sort_order, Group.name))


def open_groups():
    """The groups pupils and staff can be placed in: archived years are read-only."""
    return [group for group in ordered_groups() if group.archived_at is None]


def _save_group(form, group):
    """Validate and save; None (with the message next to the name) when it did not work."""
    if not form.validate_on_submit():
        return None
    try:
        return service.save_group(
            group, form.name.data, form.school_year.data, form.sort_order.data)
    except AdministrationError as error:
        form.name.errors.append(str(error))
        return None


def _group_page(form, group, delete_form=None, status=200):
    """The new/edit group page."""
    return render_page("admin/group_form.html", status=status, form=form, group=group,
                       delete_form=delete_form or ConfirmForm(formdata=None))
