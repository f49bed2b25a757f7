"""Who is in a group's space, as this user may see it."""

from schoolportal import authz
from schoolportal.core.models import GroupStaff, Pupil


def members(user, group, query=""):
    """The group's pupils this user may see (filtered by name), its staff, and whether the
    user sees the whole class (its staff and admins) or only their own children."""
    if query:
        pupils = list(authz.pupils_in_group_visible_to(user, group).where(Pupil.matches(query)))
    else:
        pupils = authz.pupil_list_in_group_visible_to(user, group)
    return {"pupils": pupils, "staff": GroupStaff.staff_by_group([group])[group.id],
            "sees_whole_class": authz.may_manage_group(user, group)}
