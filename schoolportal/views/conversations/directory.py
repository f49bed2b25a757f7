"""The group directory, a parent's choice to appear in it, and staff office hours."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.conversations import directory, policy
from schoolportal.conversations.forms import DAY_NAMES, DirectoryForm, OfficeHoursForm
from schoolportal.core.models import ROLE_PARENT, GroupStaff
from schoolportal.core.rendering import render_page
from schoolportal.views.conversations import bp


@bp.get("/directory")
@authz.signed_in
def directory_index():
    """The groups whose directory this user may open; with one group, that directory."""
    groups = list(authz.visible_groups(current_user))
    if len(groups) == 1:
        return redirect(url_for(".group_directory", group_id=groups[0].id))
    return render_page("conversations/directory_index.html", groups=groups)


@bp.get("/groups/<int:group_id>/directory")
@authz.signed_in
def group_directory(group_id):
    """A group's teachers, and the parents who chose to appear, with their children."""
    group = authz.visible_group_or_404(current_user, group_id)
    return render_page(
        "conversations/directory.html", group=group,
        teachers=GroupStaff.staff_by_group([group])[group.id],
        parents=directory.group_directory(group),
        may_message_parents=current_user.role == ROLE_PARENT
        and policy.parents_may_message_parents())


@bp.get("/directory/settings")
@authz.allow(ROLE_PARENT)
def directory_settings():
    """A parent's choice to appear in the directory, and with what."""
    entry = directory.entry_of(current_user)
    return _directory_settings_page(DirectoryForm(obj=entry))


@bp.post("/directory/settings")
@authz.allow(ROLE_PARENT)
def directory_settings_submit():
    """Save the directory choice."""
    form = DirectoryForm()
    if not form.validate_on_submit():
        return _directory_settings_page(form, status=422)
    directory.save_entry(current_user, form.show_in_directory.data, form.show_email.data,
                         form.show_phone.data, form.phone.data or "")
    flash(_("Your directory settings have been saved."), "success")
    return redirect(url_for(".directory_settings"))


@bp.get("/conversations/office-hours")
@authz.staff_only
def office_hours():
    """The staff member's office hours: when they read and answer messages."""
    hours = directory.hours_of([current_user.id])[current_user.id]
    data = {}
    for period in hours:
        if period.weekday < len(DAY_NAMES):
            data[f"starts_{period.weekday}"] = directory.as_time(period.starts_at)
            data[f"ends_{period.weekday}"] = directory.as_time(period.ends_at)
    return _office_hours_page(OfficeHoursForm(formdata=None, data=data))


@bp.post("/conversations/office-hours")
@authz.staff_only
def office_hours_submit():
    """Replace the office hours with the days filled in."""
    form = OfficeHoursForm()
    if not form.validate_on_submit():
        return _office_hours_page(form, status=422)
    directory.save_hours(current_user, form.periods())
    flash(_("Your office hours have been saved."), "success")
    return redirect(url_for(".office_hours"))


def _directory_settings_page(form, status=200):
    """The directory settings page."""
    return render_page("conversations/directory_settings.html", status=status, form=form)


def _office_hours_page(form, status=200):
    """The office hours page."""
    return render_page("conversations/office_hours.html", status=status, form=form,
                       days=list(enumerate(DAY_NAMES)))
