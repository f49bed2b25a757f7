"""Who may see and change the school-year rollover and archived groups."""

from schoolportal.authz import nothing, staffed_group_ids
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF, Group


def archived_groups(user):
    """The archived groups this user may read: admins all, staff those they taught."""
    query = Group.select().where(Group.archived_at.is_null(False)).order_by(
        Group.school_year.desc(), Group.sort_order, Group.name)
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Group.id.in_(staffed_group_ids(user)))
    return nothing(query)


FINDERS = {}  # no object of this area is reached by id
