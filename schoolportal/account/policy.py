"""Who may see and change accounts and profile photos."""

from schoolportal.authz import visible_groups
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Group


def may_see_photo_of(viewer, owner):
    """Staff photos: everyone. A parent's: that parent, admins, and the staff and parents of
    a group one of that parent's children is in."""
    if owner.role in (ROLE_ADMIN, ROLE_STAFF) or viewer.id == owner.id:
        return True
    if viewer.role == ROLE_ADMIN:
        return True
    if viewer.role not in (ROLE_PARENT, ROLE_STAFF) or owner.role != ROLE_PARENT:
        return False
    # A teacher's visible groups are the groups they work with: staff see a parent's photo
    # only when they teach one of that parent's children (issue 18).
    owners_groups = visible_groups(owner).select(Group.id).order_by()
    return visible_groups(viewer).where(Group.id.in_(owners_groups)).exists()


FINDERS = {}  # no object of this area is reached by id
