"""Planning: staff add, change and delete activities (staff for their own groups only)."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.calendar import policy, service
from schoolportal.calendar.forms import GROUPS, ActivityForm, ConfirmForm
from schoolportal.core import worker
from schoolportal.core.rendering import render_page
from schoolportal.views.calendar import bp


@bp.get("/agenda/activities/new")
@authz.staff_only
def new_activity():
    """The empty editor; ?on=2026-12-04 fills in the day (from the month grid)."""
    form = _form(formdata=None)
    form.starts_on.data = _day_from(request.args.get("on"))
    return _editor(form, None)


@bp.post("/agenda/activities/new")
@authz.staff_only
def create_activity():
    """Add the activity and show it."""
    form = _form()
    if not form.validate_on_submit():
        return _editor(form, None, status=422)
    saved = service.save_activity(None, form.data_for_save(), current_user)
    flash(_("“%(title)s” has been added to the calendar.", title=saved.title), "success")
    return redirect(url_for("calendar.activity", activity_id=saved.id))


@bp.get("/agenda/activities/<int:activity_id>/edit")
@authz.staff_only
def edit_activity(activity_id):
    """The editor filled with the activity."""
    found = policy.manageable_activity_or_404(current_user, activity_id)
    form = _form(formdata=None, obj=found, extra_groups=found.group_ids)
    form.audience.data = "school" if found.whole_school else GROUPS
    form.groups.data = found.group_ids
    if found.ends_on == found.starts_on:
        form.ends_on.data = None
    return _editor(form, found)


@bp.post("/agenda/activities/<int:activity_id>/edit")
@authz.staff_only
def update_activity(activity_id):
    """Save the changes; the feed keeps the event's UID, so phones update it in place."""
    found = policy.manageable_activity_or_404(current_user, activity_id)
    form = _form(extra_groups=found.group_ids)
    if not form.validate_on_submit():
        return _editor(form, found, status=422)
    service.save_activity(found, form.data_for_save(), current_user)
    flash(_("Your changes have been saved."), "success")
    return redirect(url_for("calendar.activity", activity_id=found.id))


@bp.post("/agenda/activities/<int:activity_id>/delete")
@authz.staff_only
def delete_activity(activity_id):
    """Delete the activity; it disappears from every feed at the next refresh."""
    found = policy.manageable_activity_or_404(current_user, activity_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _editor(_form(formdata=None, obj=found, extra_groups=found.group_ids), found,
                       delete_form=form, status=400)
    service.delete_activity(found)
    flash(_("“%(title)s” has been deleted.", title=found.title), "success")
    return redirect(url_for("calendar.month_of", year=found.starts_on.year,
                            month=found.starts_on.month))


def _form(extra_groups=(), **kwargs):
    """The editor form with the groups this user may plan for (and those already chosen)."""
    groups = list(policy.calendar_groups(current_user))
    choosable = [g for g in groups if g.school_year >= _current_school_year()
                 or g.id in extra_groups]
    return ActivityForm(groups=choosable, **kwargs,
                        whole_school_allowed=policy.may_plan_for_whole_school(current_user))


def _current_school_year():
    """This school year as groups name it ("2026-2027"): older groups are not offered."""
    start = service.school_year_start(worker.school_today())
    return f"{start}-{start + 1}"


def _day_from(text):
    """A date from ?on=YYYY-MM-DD, or None when it is missing or wrong."""
    try:
        day = date.fromisoformat((text or "")[:10])
    except ValueError:
        return None
    return day if service.month_in_range(day.year, day.month) else None


def _editor(form, activity, status=200, delete_form=None):
    """The editor page (new or edit), with the delete form when editing."""
    return render_page("calendar/edit.html", status=status, form=form, activity=activity,
                       delete_form=delete_form or ConfirmForm(formdata=None))
