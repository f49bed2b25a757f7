"""What a family sees: per round and child the teacher's free times, and back-to-back offers.

A family with several children sees all their current rounds on one page. Where two
children have different teachers, times that join up (one meeting ends as the other
begins, give or take a few minutes) are offered as a pair that is booked in one go, and
free times next to a meeting already booked for a brother or sister are marked.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from schoolportal.core.models import GroupStaff, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.meetings.models import SLOT_FREE, MeetingBooking, MeetingRoundGroup, MeetingSlot
from schoolportal.meetings.rounds import to_local

ADJACENT_WITHIN = timedelta(minutes=5)
MAX_SUGGESTIONS = 3


@dataclass
class ChildGrid:
    """One child in one round: the teachers, the booking, the free slots by day."""

    pupil: object
    meeting_round: object
    teachers: list
    is_open: bool
    booking: object = None
    days: list = field(default_factory=list)  # [(local date, [slot, ...])]
    near: set = field(default_factory=set)  # slot ids next to a sibling's meeting

    @property
    def free_slots(self):
        """Every free slot of this grid, in time order."""
        return [slot for _day, slots in self.days for slot in slots]


@dataclass
class RoundView:
    """A round with the grids of the family's children in it."""

    meeting_round: object
    children: list


@dataclass(frozen=True)
class Suggestion:
    """Two times with different teachers that follow each other."""

    first_pupil: object
    first_slot: object
    second_pupil: object
    second_slot: object


def family_view(user, rounds, children, now=None):
    """The rounds (already scoped by authz) with a grid per child; and pair suggestions."""
    now = now or utcnow()
    rounds = list(rounds)
    if not rounds or not children:
        return [], []
    groups_in = _groups_per_round(rounds)
    staff = GroupStaff.staff_by_group([c.group for c in children])
    bookings = _bookings(user, rounds, children)
    grids, views = [], []
    for meeting_round in rounds:
        view = RoundView(meeting_round, [])
        for child in children:
            if child.group_id not in groups_in[meeting_round.id]:
                continue
            grid = ChildGrid(child, meeting_round, staff.get(child.group_id, []),
                             meeting_round.is_open(now),
                             bookings.get((meeting_round.id, child.id)))
            view.children.append(grid)
            grids.append(grid)
        views.append(view)
    _fill_slots(grids, now)
    return views, _suggest(grids)


def _groups_per_round(rounds):
    """The group ids of each round, in one query."""
    groups = {r.id: set() for r in rounds}
    for row in _round_groups(list(groups)):
        groups[row.round_id].add(row.group_id)
    return groups


@prepared
def _round_groups(round_ids):
    return MeetingRoundGroup.select(MeetingRoundGroup.round, MeetingRoundGroup.group).where(
        MeetingRoundGroup.round.in_(round_ids))


@prepared
def _bookings_of(round_ids, pupil_ids):
    return (MeetingBooking.select(MeetingBooking, MeetingSlot).join(MeetingSlot)
            .where(MeetingBooking.round.in_(round_ids) & MeetingBooking.pupil.in_(pupil_ids)))


@prepared
def _free_slots(round_ids, teacher_ids, now):
    return (MeetingSlot.select().where(
        MeetingSlot.round.in_(round_ids) & MeetingSlot.teacher.in_(teacher_ids)
        & (MeetingSlot.status == SLOT_FREE) & (MeetingSlot.starts_at > now))
        .order_by(MeetingSlot.starts_at, MeetingSlot.teacher))


def _bookings(user, rounds, children):
    """This user's view of the children's bookings, keyed by (round id, pupil id)."""
    per_guardian = {r.id for r in rounds if r.one_per_guardian}
    found = {}
    query = _bookings_of([r.id for r in rounds], [c.id for c in children])
    for booking in query:
        scope = user.id if booking.round_id in per_guardian else 0
        if booking.scope == scope:
            found[(booking.round_id, booking.pupil_id)] = booking
    return found


def _fill_slots(grids, now):
    """Put each teacher's free future slots in the grids that show them (one query)."""
    teacher_ids = {t.id for g in grids for t in g.teachers}
    round_ids = {g.meeting_round.id for g in grids}
    if not teacher_ids:
        return
    slots = _free_slots(sorted(round_ids), sorted(teacher_ids), now)
    by_round_teacher = {}
    for slot in slots:
        by_round_teacher.setdefault((slot.round_id, slot.teacher_id), []).append(slot)
    for grid in grids:
        mine = sorted((s for t in grid.teachers
                       for s in by_round_teacher.get((grid.meeting_round.id, t.id), [])),
                      key=lambda s: s.starts_at)
        for slot in mine:
            local = to_local(slot.starts_at)
            slot.label = local.strftime("%H:%M")  # cheaper than a Babel format per button
            day = local.date()
            if not grid.days or grid.days[-1][0] != day:
                grid.days.append((day, []))
            grid.days[-1][1].append(slot)


def _adjacent(first, second):
    """True when `second` starts when `first` ends, or a few minutes later."""
    return timedelta(0) <= second.starts_at - first.ends_at <= ADJACENT_WITHIN


def _suggest(grids):
    """Mark times next to a sibling's booking; offer pairs for children not booked yet."""
    open_grids = [g for g in grids if g.is_open]
    booked = [g for g in grids if g.booking is not None]
    for grid in open_grids:
        if grid.booking is not None:
            continue
        for other in booked:
            if other.pupil.id == grid.pupil.id:
                continue
            for slot in grid.free_slots:
                theirs = other.booking.slot
                if slot.teacher_id != theirs.teacher_id and (
                        _adjacent(slot, theirs) or _adjacent(theirs, slot)):
                    grid.near.add(slot.id)
    waiting = [g for g in open_grids if g.booking is None]
    pairs = []
    for index, first in enumerate(waiting):
        for second in waiting[index + 1:]:
            if first.pupil.id != second.pupil.id:
                pairs += _pairs(first, second)
    pairs.sort(key=lambda s: s.first_slot.starts_at)
    return pairs[:MAX_SUGGESTIONS]


def _pairs(first, second):
    """Pairs of joining free times of two children with different teachers, either order."""
    return _joining(first, second) + _joining(second, first)


def _joining(before, after):
    """Free times of `after` that start as a free time of `before` ends (a few at most)."""
    by_start = {}
    for slot in after.free_slots:
        by_start.setdefault(slot.starts_at, []).append(slot)
    found = []
    steps = int(ADJACENT_WITHIN.total_seconds() // 60) + 1
    for slot in before.free_slots:
        for minutes in range(steps):
            for match in by_start.get(slot.ends_at + timedelta(minutes=minutes), []):
                if match.teacher_id != slot.teacher_id:
                    found.append(Suggestion(before.pupil, slot, after.pupil, match))
        if len(found) >= MAX_SUGGESTIONS:
            break
    return found
