"""Who may see and change coaching and research footage.

A closed circle: footage for coaching or research is seen by the member of staff who
uploaded it (and so scheduled its destruction), by the staff of the group it was made in,
and by admins (the director answers for it). Parents never: every route is staff_only, and
these queries are empty for them. Whoever may see an item may destroy it early (destroying
sooner only ever shrinks who can see it); the record says who did. Destruction records:
staff see those of footage they scheduled or destroyed; admins all.
"""

from schoolportal.authz import (
    found_or_404,
    nothing,
    real_id_or_404,
    staffed_group_ids,
    visible_groups,
)
from schoolportal.coaching.models import CoachingMedia, DestructionRecord
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF, Group


def coaching_media(user):
    """The footage this user may see: own uploads and own groups' for staff, all for admins."""
    query = CoachingMedia.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return nothing(query)
    return query.where((CoachingMedia.scheduled_by == user.id)
                       | CoachingMedia.group.in_(staffed_group_ids(user)))


def coaching_media_or_404(user, media_id):
    """One item of footage this user may see (and destroy early); 404 otherwise."""
    return found_or_404(coaching_media(user).where(
        CoachingMedia.id == real_id_or_404(media_id)).first())


def coaching_groups(user):
    """The groups footage may be linked to: every group for admins, their own for staff."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.select())
    return visible_groups(user)


def destruction_records(user):
    """Destruction records: staff those they scheduled or carried out; admins all."""
    query = DestructionRecord.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return nothing(query)
    return query.where((DestructionRecord.scheduled_by == user.id)
                       | (DestructionRecord.destroyed_by == user.id))


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "coaching_media": (CoachingMedia, coaching_media_or_404),
}
