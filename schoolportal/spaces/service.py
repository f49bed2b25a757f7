"""Who is in a group's space, as this user may see it."""

from schoolportal import authz
from schoolportal.core.hooks import Rows, read_with_badges
from schoolportal.core.models import ROLE_PARENT, GroupStaff, Pupil


def members(user, group, query="", with_menu=True):
    """The group's pupils this user may see (filtered by name), its staff, and whether the
    user sees the whole class (its staff and admins) or only their own children.

    Pupils and staff are read in one statement, with the menu's badges when the page shows
    the menu (`with_menu`); a parent's own children come from what the request read already.
    """
    if query:
        pupils = Rows(authz.pupils_in_group_visible_to(user, group).where(Pupil.matches(query)))
    elif user.role == ROLE_PARENT:
        pupils = authz.pupil_list_in_group_visible_to(user, group)
    else:
        pupils = Rows(authz.pupils_in_group_visible_to(user, group))
    found = {"pupils": pupils, "staff": Rows(GroupStaff.staff_rows([group.id]),
                                             then=lambda rows: [row.staff for row in rows])}
    read_with_badges(user, found, badges=with_menu)
    return {**found, "sees_whole_class": authz.may_manage_group(user, group)}
