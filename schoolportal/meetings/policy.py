"""Who may see and change meetings: rounds, blocks, slots, bookings, requests."""

from flask import abort

from schoolportal.authz import (
    found_or_404,
    nothing,
    own_children_ids,
    real_id_or_404,
    staffed_group_ids,
    visible_group_list,
    visible_pupil_list,
    visible_pupils,
)
from schoolportal.core import clock
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    GroupStaff,
    Guardianship,
    Pupil,
)
from schoolportal.core.prepared import prepared
from schoolportal.meetings.models import (
    MeetingBlock,
    MeetingBooking,
    MeetingRequest,
    MeetingRound,
    MeetingSlot,
)


def meeting_rounds_visible_to(user):
    """Rounds: admins all; staff those with a group of theirs (or made by them); parents
    the published rounds of their children's groups."""
    from schoolportal.meetings.models import MeetingRound
    from schoolportal.meetings.models import MeetingRoundGroup as RoundGroup

    query = MeetingRound.select().order_by(MeetingRound.opens_at.desc(), MeetingRound.id.desc())
    rounds_of = RoundGroup.select(RoundGroup.round)
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(MeetingRound.id.in_(
            rounds_of.where(RoundGroup.group.in_(staffed_group_ids(user))))
            | (MeetingRound.created_by == user.id))
    if user.role == ROLE_PARENT:
        return meeting_rounds_of_parent(user.id, clock.school_today())
    return nothing(query)


def meeting_rounds_of_parent(user_id, today):
    """`meeting_rounds_visible_to` a parent: the published rounds of the groups of their
    children at school on the day (by id and day, for a prepared query)."""
    from schoolportal.meetings.models import MeetingRoundGroup as RoundGroup

    groups = Pupil.select(Pupil.group).where(
        Pupil.id.in_(own_children_ids(user_id)) & Pupil.at_school(today))
    return (MeetingRound.select()
            .where(MeetingRound.published_at.is_null(False) & MeetingRound.id.in_(
                RoundGroup.select(RoundGroup.round).where(RoundGroup.group.in_(groups))))
            .order_by(MeetingRound.opens_at.desc(), MeetingRound.id.desc()))


def meeting_round_or_404(user, round_id):
    """A round this user may see; 404 otherwise, also for guessed ids."""
    from schoolportal.meetings.models import MeetingRound

    return found_or_404(meeting_rounds_visible_to(user).where(
        MeetingRound.id == real_id_or_404(round_id)).first())


def may_manage_meeting_round(user, meeting_round):
    """Admins, and staff who see the round (a group of theirs is in it), manage it."""
    from schoolportal.meetings.models import MeetingRound

    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return False
    return meeting_rounds_visible_to(user).where(MeetingRound.id == meeting_round.id).exists()


def managed_meeting_round_or_404(user, round_id):
    """A round this member of staff manages; 404 for everyone else."""
    meeting_round = meeting_round_or_404(user, round_id)
    if not may_manage_meeting_round(user, meeting_round):
        abort(404)
    return meeting_round


def meeting_round_group_choices(user):
    """The groups a member of staff may invite to a round: admins all, teachers their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return []
    return visible_group_list(user)


def bookable_meeting_slot_or_404(user, pupil_id, slot_id):
    """(child, slot) when a parent may book it: own child, its teacher, a round it is in."""
    pupil = None
    if user.role == ROLE_PARENT:  # the request's list of the parent's children
        wanted = real_id_or_404(pupil_id)
        pupil = next((p for p in visible_pupil_list(user) if p.id == wanted), None)
    if pupil is None:
        abort(404)
    return pupil, found_or_404(_bookable_slot(real_id_or_404(slot_id), pupil.group_id).first())


@prepared
def _bookable_slot(slot_id, group_id):
    """The slot with its round, when it is in a published round inviting the group and with
    one of the group's teachers. A published round inviting the child's group is one the
    parent sees (the child is their own and at school), so no wider visibility subquery is
    needed here."""
    from schoolportal.meetings.models import MeetingRoundGroup as RoundGroup

    return (MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound).where(
        (MeetingSlot.id == slot_id) & MeetingRound.published_at.is_null(False)
        & MeetingRound.id.in_(RoundGroup.select(RoundGroup.round)
                              .where(RoundGroup.group == group_id))
        & MeetingSlot.teacher.in_(GroupStaff.select(GroupStaff.staff)
                                  .where(GroupStaff.group == group_id))).limit(1))


def may_manage_teachers_times(user, teacher_id):
    """In a round (shared by groups), admins manage every teacher's times, staff only their
    own: a teacher never sees or changes another group's slots, bookings or pupils."""
    return user.role == ROLE_ADMIN or (user.role == ROLE_STAFF and teacher_id == user.id)


def teachers_managed_by(user, teachers):
    """Of a round's teachers, those whose times this user manages (admins all, staff self)."""
    return [t for t in teachers if may_manage_teachers_times(user, t.id)]


def schedule_teacher_ids(user):
    """Whose times the schedule may show: None (everyone's) for admins, else only one's own."""
    return None if user.role == ROLE_ADMIN else [user.id]


def managed_meeting_block_or_404(user, block_id):
    """A block of times, for its teacher (in a round they manage) and admins; 404 otherwise."""
    from schoolportal.meetings.models import MeetingBlock, MeetingRound

    block = (MeetingBlock.select(MeetingBlock, MeetingRound).join(MeetingRound)
             .where(MeetingBlock.id == real_id_or_404(block_id)).first())
    if (block is None or not may_manage_teachers_times(user, block.teacher_id)
            or not may_manage_meeting_round(user, block.round)):
        abort(404)
    return block


def managed_meeting_slot_or_404(user, slot_id):
    """A round's slot, for its teacher (in a round they manage) and admins; 404 otherwise."""
    from schoolportal.meetings.models import MeetingRound, MeetingSlot

    slot = (MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound)
            .where(MeetingSlot.id == real_id_or_404(slot_id)).first())
    if (slot is None or not may_manage_teachers_times(user, slot.teacher_id)
            or not may_manage_meeting_round(user, slot.round)):
        abort(404)
    return slot


def meeting_booking_or_404(user, booking_id):
    """A booking (with slot, teacher, child, round, request) for those who may see and cancel
    it: the guardians it is for, the teacher who holds it, admins; 404 otherwise."""
    from schoolportal.meetings.models import MeetingBooking

    row = found_or_404(MeetingBooking.with_details().where(
        MeetingBooking.id == real_id_or_404(booking_id)).first())
    if user.role == ROLE_PARENT:
        own = Guardianship.select().where((Guardianship.guardian == user)
                                          & (Guardianship.pupil == row.pupil_id)).exists()
        allowed = own and row.scope in (0, user.id)
    elif user.role == ROLE_ADMIN:
        allowed = True
    else:
        # Staff: only meetings they hold themselves, also in a round shared with other groups.
        allowed = user.role == ROLE_STAFF and row.slot.teacher_id == user.id
    if not allowed:
        abort(404)
    return row


def meeting_request_or_404(user, request_id):
    """An individual request: for the parent who asked, the teacher asked, and admins."""
    from schoolportal.meetings.models import MeetingRequest

    request_row = found_or_404(MeetingRequest.get_or_none(
        MeetingRequest.id == real_id_or_404(request_id)))
    if user.role != ROLE_ADMIN and user.id not in (request_row.asked_by_id,
                                                   request_row.teacher_id):
        abort(404)
    return request_row


def meeting_request_choices(user):
    """(child, teacher) pairs a parent may ask for a conversation: own children's teachers."""
    if user.role != ROLE_PARENT:
        return []
    children = list(visible_pupils(user))
    staff = GroupStaff.staff_by_group([c.group for c in children])
    return [(child, teacher) for child in children for teacher in staff.get(child.group_id, [])]


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "meeting_round": (MeetingRound, meeting_round_or_404),
    "meeting_block": (MeetingBlock, managed_meeting_block_or_404),
    "meeting_slot": (MeetingSlot, managed_meeting_slot_or_404),
    "meeting_booking": (MeetingBooking, meeting_booking_or_404),
    "meeting_request": (MeetingRequest, meeting_request_or_404),
}
