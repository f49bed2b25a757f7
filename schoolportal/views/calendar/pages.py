"""The year calendar (jaarkalender): month and agenda, year overview, one activity.

Editing lives in calendar_edit, the private feed in calendar_feed, the .ics import in
calendar_import and the demo year in calendar_demo; they add their routes to this blueprint.
"""

from flask import abort
from flask_login import current_user

from schoolportal import authz
from schoolportal.calendar import policy, service
from schoolportal.core import worker
from schoolportal.core.models import User
from schoolportal.core.rendering import render_page
from schoolportal.views.calendar import bp


@bp.get("/agenda")
@authz.signed_in
def month():
    """This month: an agenda list on a phone, a month grid on a wide screen."""
    today = worker.school_today()
    return _month_page(today.year, today.month, today)


@bp.get("/agenda/<int:year>/<int:month>")
@authz.signed_in
def month_of(year, month):
    """Another month; htmx swaps only the month, the links work without it."""
    if not service.month_in_range(year, month):
        abort(404)
    return _month_page(year, month, worker.school_today())


@bp.get("/agenda/year")
@authz.signed_in
def year():
    """This school year on one printable page."""
    return _year_page(service.school_year_start(worker.school_today()))


@bp.get("/agenda/year/<int:start_year>")
@authz.signed_in
def year_of(start_year):
    """Another school year (2026 is 2026-2027) on one printable page."""
    if not service.month_in_range(start_year, 8) or start_year == service.LAST_YEAR:
        abort(404)
    return _year_page(start_year)


@bp.get("/agenda/activities/<int:activity_id>")
@authz.signed_in
def activity(activity_id):
    """One activity with everything about it; 404 for an activity of someone else's group."""
    found = policy.visible_activity_or_404(current_user, activity_id)
    found = service.with_audience([found])[0]
    group_ids = [g.id for g in found.groups]
    author = User.get_or_none(User.id == found.created_by_id) if found.created_by_id else None
    return render_page("calendar/activity.html", activity=found, author=author,
                       may_manage=policy.may_manage_activity(current_user, found, group_ids))


def _month_page(year, month, today):
    """The calendar page, or only its month for htmx."""
    return render_page(
        "calendar/month.html", "partials/calendar/month.html",
        month=service.month_view(current_user, year, month, today), today=today,
        may_plan=not current_user.is_parent)


def _year_page(start_year):
    """The year overview of one school year."""
    return render_page("calendar/year.html", start_year=start_year,
                       months=service.year_overview(current_user, start_year),
                       may_plan=not current_user.is_parent)
