"""Who may see, answer and manage permission slips, and confirm reading posts."""

from flask import abort

from schoolportal.authz import (
    found_or_404,
    nothing,
    own_children_ids,
    real_id_or_404,
    staffed_group_ids,
    visible_group_ids,
    visible_groups,
    visible_pupil_list,
)
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Group, Pupil
from schoolportal.feed import policy as feed_policy
from schoolportal.slips.models import ReadRequest, Slip


def addressable_groups(user):
    """The groups this user may give a slip to: admins any current group, staff their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.ordered())
    return visible_groups(user)


def manageable_slips(user):
    """Slips this user makes and follows: admins all, staff those of their own groups."""
    query = Slip.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return nothing(query)
    return query.where(Slip.group.in_(staffed_group_ids(user)))


def manageable_slip_or_404(user, slip_id):
    """A slip this user manages; 404 otherwise, also for guessed ids."""
    return found_or_404(manageable_slips(user).where(
        Slip.id == real_id_or_404(slip_id)).first())


def answerable_slips(user):
    """Slips for this parent: those of the groups their children (at school) are in."""
    parent = answering_parent(user)
    return nothing(Slip.select()) if parent is None else slips_of_groups(parent[1])


def answering_parent(user):
    """(user id, ids of their visible groups) of a parent, who answers their groups' slips;
    None for anyone else, who answers none."""
    return (user.id, visible_group_ids(user)) if user.role == ROLE_PARENT else None


def slips_of_groups(group_ids):
    """The slips of these groups (`answerable_slips` of the parent whose groups they are)."""
    return Slip.select().where(Slip.group.in_(group_ids))


def answerable_slip_or_404(user, slip_id):
    """A slip this parent answers; 404 otherwise (other groups, guessed ids)."""
    return found_or_404(answerable_slips(user).where(
        Slip.id == real_id_or_404(slip_id)).first())


def slip_or_404(user, slip_id):
    """A slip this user may open: to answer (parents) or to follow (its group's staff)."""
    if user.role == ROLE_PARENT:
        return answerable_slip_or_404(user, slip_id)
    return manageable_slip_or_404(user, slip_id)


def own_children(user):
    """The parent's own children at school, in name order (none for staff)."""
    query = Pupil.select().where(Pupil.id.in_(own_children_ids(user)) & Pupil.at_school())
    if user.role != ROLE_PARENT:
        return nothing(query)
    return query.order_by(Pupil.first_name, Pupil.id)


def children_at_school(user_id, today):
    """Subquery: the ids of a parent's children at school on the day (`own_children`)."""
    return Pupil.select(Pupil.id).where(
        Pupil.id.in_(own_children_ids(user_id)) & Pupil.at_school(today))


def own_children_list(user):
    """`own_children(user)` as a list, from the children the request loaded once already."""
    if user.role != ROLE_PARENT:
        return []
    return sorted(visible_pupil_list(user), key=lambda pupil: (pupil.first_name, pupil.id))


def children_for(user, slip):
    """The parent's own children (at school) this slip asks about."""
    return list(own_children(user).where(Pupil.group == slip.group_id))


def may_ask_read_confirmation(user, post):
    """Who may edit a published post may ask its parents to confirm reading it."""
    return feed_policy.may_edit_post(user, post)


def may_see_confirmations(user, post):
    """Who read a post is for its author, its group's staff and admins (as read receipts)."""
    return feed_policy.may_see_reads(user, post)


def confirmable_post_or_404(user, post_id):
    """A published post with a read request that this parent sees; 404 otherwise."""
    post = feed_policy.post_or_404(user, post_id)
    if user.role != ROLE_PARENT or not ReadRequest.select().where(
            ReadRequest.post == post.id).exists():
        abort(404)
    return post


def followed_post_or_404(user, post_id):
    """A post whose read confirmations this user follows (staff); 404 otherwise."""
    post = feed_policy.post_or_404(user, post_id)
    if not may_see_confirmations(user, post):
        abort(404)
    return post


def requestable_post_or_404(user, post_id):
    """A post this user may ask (or stop asking) a read confirmation for; 404 otherwise."""
    post = feed_policy.post_or_404(user, post_id)
    if not may_ask_read_confirmation(user, post):
        abort(404)
    return post


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "slip": (Slip, slip_or_404),
}
