"""Who may see and change the year calendar."""

from flask import abort

from schoolportal.authz import (
    found_or_404,
    nothing,
    real_id_or_404,
    visible_group_ids,
    visible_groups,
)
from schoolportal.calendar.models import Activity, ActivityGroup, CalendarImport
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF, Group


def visible_activities(user):
    """The activities this user sees: the whole school's, and those of their visible groups.

    Parents see their children's groups, staff their own groups, admins everything; the
    feed and every calendar page use this, so a Groep 5 parent never gets a 1/2A activity.
    """
    groups = activity_groups(user)
    return Activity.select() if groups is None else activities_of_groups(groups)


def activity_groups(user):
    """The groups whose activities this user sees besides the whole school's: None for
    admins (every activity), else their visible groups' ids, last years' too (a list, or for
    staff a subquery). Prepared queries take the list as an argument."""
    return None if user.role == ROLE_ADMIN else visible_group_ids(user, archived=True)


def activities_of_groups(group_ids):
    """The whole school's activities and those of these groups (`visible_activities` of a
    user whose visible groups they are)."""
    for_groups = ActivityGroup.select(ActivityGroup.activity).where(
        ActivityGroup.group.in_(group_ids))
    return Activity.select().where(Activity.whole_school | Activity.id.in_(for_groups))


def visible_activity_or_404(user, activity_id):
    """One activity this user sees; 404 otherwise, also for guessed ids."""
    return found_or_404(visible_activities(user).where(
        Activity.id == real_id_or_404(activity_id)).first())


def calendar_groups(user):
    """The groups this user may put activities in: any for admins, their own for staff."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.select())
    return visible_groups(user)


def may_plan_for_whole_school(user):
    """Only admins (office, director) put activities in the whole school's calendar."""
    return user.role == ROLE_ADMIN


def may_manage_activity(user, activity, group_ids):
    """Admins change any activity; staff one that is only for groups of their own."""
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_STAFF or activity.whole_school or not group_ids:
        return False
    own = {g.id for g in visible_groups(user)}
    return set(group_ids) <= own


def manageable_activity_or_404(user, activity_id):
    """An activity this user may change, with `group_ids` filled; 404 otherwise."""
    activity = visible_activity_or_404(user, activity_id)
    activity.group_ids = [row.group_id for row in ActivityGroup.select(ActivityGroup.group)
                          .where(ActivityGroup.activity == activity.id)]
    if not may_manage_activity(user, activity, activity.group_ids):
        abort(404)
    return activity


def own_calendar_import_or_404(user, key):
    """An .ics upload this member of staff checked; 404 for anyone else's and guessed keys."""
    found = None
    if user.role in (ROLE_ADMIN, ROLE_STAFF) and key:
        found = CalendarImport.get_or_none(
            (CalendarImport.key == key[:64]) & (CalendarImport.uploaded_by == user))
    if found is None:
        abort(404)
    return found


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "activity": (Activity, visible_activity_or_404),
    "calendar_import": (CalendarImport, own_calendar_import_or_404),
}
