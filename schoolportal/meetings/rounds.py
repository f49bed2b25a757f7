"""Meeting rounds for staff: the round itself, blocks cut into slots, publishing, the schedule.

Times are entered in the school's time zone and stored as naive UTC, one slot at a time,
so a round that crosses a change to summer time still gets the right hours.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee as pw
from flask import current_app
from flask_babel import lazy_gettext as _l

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, GroupStaff, Guardianship, Pupil, School, User, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.meetings import policy
from schoolportal.meetings.models import (
    SLOT_BLOCKED,
    SLOT_BOOKED,
    SLOT_FREE,
    MeetingBlock,
    MeetingBooking,
    MeetingRound,
    MeetingRoundGroup,
    MeetingSlot,
)
from schoolportal.notifications import service as notifications

MAX_SLOTS_PER_BLOCK = 150


class RoundError(ValueError):
    """A change to a round that cannot be made, with a message for staff."""


def school_zone():
    """The school's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local):
    """A naive school-local datetime as naive UTC."""
    return local.replace(tzinfo=school_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(moment):
    """A naive UTC datetime as naive school-local time."""
    return moment.replace(tzinfo=UTC).astimezone(school_zone()).replace(tzinfo=None)


def save_round(meeting_round, values, group_ids, user=None, choosable=None):
    """Create (meeting_round None) or update a round with its groups; returns it.

    Only groups in `choosable` (the ones this user could tick) are taken out when not
    chosen: a teacher saving a shared round keeps a colleague's group in it.
    """
    with write_transaction():
        if meeting_round is None:
            meeting_round = MeetingRound.create(created_by=user, **values)
        else:
            MeetingRound.update(values).where(MeetingRound.id == meeting_round.id).execute()
        removed = MeetingRoundGroup.group.not_in(group_ids)
        if choosable is not None:
            removed &= MeetingRoundGroup.group.in_(list(choosable))
        MeetingRoundGroup.delete().where((MeetingRoundGroup.round == meeting_round)
                                         & removed).execute()
        MeetingRoundGroup.insert_many(
            [{"round": meeting_round.id, "group": g} for g in group_ids]
        ).on_conflict_ignore().execute()
    return MeetingRound.get_by_id(meeting_round.id)


def groups_of(meeting_round):
    """The groups invited to a round, in school order."""
    return list(Group.ordered().where(Group.id.in_(
        MeetingRoundGroup.select(MeetingRoundGroup.group)
        .where(MeetingRoundGroup.round == meeting_round))))


def teachers_of_groups(group_ids):
    """The active staff of these groups, by name (who may get a block in the round)."""
    return list(User.select().distinct().join(GroupStaff, on=(GroupStaff.staff == User.id))
                .where(GroupStaff.group.in_(group_ids) & (User.active == True))  # noqa: E712
                .order_by(User.display_name))


def slot_times(day, starts, ends, slot_minutes, gap_minutes=0, break_starts=None,
               break_ends=None):
    """The (start, end) local datetimes of the slots a block is cut into."""
    length, step = timedelta(minutes=slot_minutes), timedelta(minutes=slot_minutes + gap_minutes)
    moment, end = datetime.combine(day, starts), datetime.combine(day, ends)
    pause = (datetime.combine(day, break_starts), datetime.combine(day, break_ends)) \
        if break_starts and break_ends else None
    times = []
    while moment + length <= end and len(times) < MAX_SLOTS_PER_BLOCK:
        if pause and moment < pause[1] and moment + length > pause[0]:
            moment = pause[1]
            continue
        times.append((moment, moment + length))
        moment += step
    return times


def add_block(meeting_round, teacher, day, starts, ends, slot_minutes, gap_minutes=0,
              break_starts=None, break_ends=None):
    """Add a teacher's block and its slots; RoundError when it overlaps their other times."""
    local = slot_times(day, starts, ends, slot_minutes, gap_minutes, break_starts, break_ends)
    if not local:
        raise RoundError(_l("No meeting fits between these times."))
    times = [(to_utc(a), to_utc(b)) for a, b in local]
    with write_transaction():
        busy = MeetingSlot.select().where(
            (MeetingSlot.teacher == teacher) & (MeetingSlot.starts_at < times[-1][1])
            & (MeetingSlot.ends_at > times[0][0]))
        if busy.exists():
            raise RoundError(_l("%(teacher)s already has meeting times then.",
                                teacher=teacher.display_name))
        block = MeetingBlock.create(
            round=meeting_round, teacher=teacher, day=day, starts=starts, ends=ends,
            slot_minutes=slot_minutes, gap_minutes=gap_minutes, break_starts=break_starts,
            break_ends=break_ends)
        MeetingSlot.insert_many([
            {"round": meeting_round.id, "block": block.id, "teacher": teacher.id,
             "starts_at": a, "ends_at": b} for a, b in times]).execute()
    return block, len(times)


def remove_block(block):
    """Delete a block and its slots; False when one of them is booked.

    The free slots are blocked first, in the same transaction: a parent booking one at
    that moment finds it taken, and a booking that got in first makes the removal fail.
    """
    try:
        with write_transaction():
            MeetingSlot.update(status=SLOT_BLOCKED).where(
                (MeetingSlot.block == block.id) & (MeetingSlot.status == SLOT_FREE)).execute()
            if MeetingSlot.select().where((MeetingSlot.block == block.id)
                                          & (MeetingSlot.status == SLOT_BOOKED)).exists():
                raise _Undo()
            MeetingBlock.delete().where(MeetingBlock.id == block.id).execute()
    except _Undo:
        return False
    return True


class _Undo(Exception):
    """Raised inside a transaction to roll it back."""


def blocks_of(meeting_round, teacher_ids=None):
    """The round's blocks (of these teachers, or all) with teacher, slots and bookings."""
    booked = pw.fn.SUM(pw.Case(None, [(MeetingSlot.status == SLOT_BOOKED, 1)], 0))
    query = (MeetingBlock.select(MeetingBlock, User, pw.fn.COUNT(MeetingSlot.id).alias("slots"),
                                 booked.alias("booked"))
             .join(User, on=(MeetingBlock.teacher == User.id))
             .switch(MeetingBlock).join(MeetingSlot, pw.JOIN.LEFT_OUTER)
             .where(MeetingBlock.round == meeting_round)
             .group_by(MeetingBlock.id, User.id)
             .order_by(MeetingBlock.day, MeetingBlock.starts, User.display_name))
    if teacher_ids is not None:
        query = query.where(MeetingBlock.teacher.in_(teacher_ids))
    return list(query)


def publish(meeting_round, now=None):
    """Publish the round and tell the parents of its groups; False if it was published."""
    now = now or utcnow()
    with write_transaction():
        if not MeetingSlot.select().where(MeetingSlot.round == meeting_round).exists():
            raise RoundError(_l("Add at least one block of times before publishing."))
        done = MeetingRound.update(published_at=now).where(
            (MeetingRound.id == meeting_round.id) & MeetingRound.published_at.is_null()).execute()
        if not done:
            return False
        meeting_round.published_at = now
        _tell_parents(meeting_round)
    return True


def _tell_parents(meeting_round):
    """Tell the activated parents of the round's groups, through the channel each chose."""
    rows = (Guardianship.select(Guardianship, User, Pupil).join(User)
            .switch(Guardianship).join(Pupil)
            .join(MeetingRoundGroup, on=(MeetingRoundGroup.group == Pupil.group))
            .where((MeetingRoundGroup.round == meeting_round) & Pupil.at_school()
                   & (User.active == True) & User.password_hash.is_null(False))  # noqa: E712
            .order_by(User.id, Pupil.first_name))
    children = defaultdict(list)
    people = {}
    for row in rows:
        people[row.guardian.id] = row.guardian
        children[row.guardian.id].append(row.pupil.first_name)
    school = School.current()
    subject = _l("Book your meeting: %(title)s", title=meeting_round.title)
    notifications.notify(
        people.values(), "meetings", title=subject, url=notifications.link("meetings.index"),
        mail=lambda person: outbox.send(
            person, "meetings/published", subject, meeting_round=meeting_round,
            children=children[person.id], school=school,
            url=outbox.absolute_url("meetings.index")))


@dataclass
class ScheduleDay:
    """One teacher's slots on one day, for the printable schedule."""

    teacher: User
    day: object
    slots: list = field(default_factory=list)


def schedule(meeting_round, teacher_ids=None):
    """The round's slots per teacher and day, with bookings, children and guardians."""
    query = (MeetingSlot.select(MeetingSlot, User).join(User, on=(MeetingSlot.teacher == User.id))
             .where(MeetingSlot.round == meeting_round)
             .order_by(User.display_name, MeetingSlot.starts_at))
    if teacher_ids is not None:
        query = query.where(MeetingSlot.teacher.in_(teacher_ids))
    slots = list(query)
    bookings = {b.slot_id: b for b in MeetingBooking.select(MeetingBooking, Pupil, Group)
                .join(Pupil).join(Group)
                .where(MeetingBooking.slot.in_([s.id for s in slots]))} if slots else {}
    guardians = _guardian_names([b.pupil_id for b in bookings.values()])
    days = {}
    for slot in slots:
        slot.booking = bookings.get(slot.id)
        slot.guardians = guardians.get(slot.booking.pupil_id, []) if slot.booking else []
        key = (slot.teacher_id, to_local(slot.starts_at).date())
        days.setdefault(key, ScheduleDay(slot.teacher, key[1])).slots.append(slot)
    return list(days.values())


def _guardian_names(pupil_ids):
    """The guardians' names per pupil id, in one query."""
    names = defaultdict(list)
    if pupil_ids:
        for row in (Guardianship.select(Guardianship.pupil, User.display_name).join(User)
                    .where(Guardianship.pupil.in_(pupil_ids)).order_by(User.display_name)
                    .tuples()):
            names[row[0]].append(row[1])
    return names


def pupils_for_staff_booking(meeting_round, teacher):
    """The pupils a teacher's slot can be booked for: their groups in the round, at school."""
    return list(Pupil.select(Pupil, Group).join(Group)
                .join(MeetingRoundGroup, on=(MeetingRoundGroup.group == Group.id))
                .where((MeetingRoundGroup.round == meeting_round) & Pupil.at_school()
                       & Group.id.in_(GroupStaff.select(GroupStaff.group)
                                      .where(GroupStaff.staff == teacher)))
                .order_by(Pupil.first_name, Pupil.last_name))


def current(query, now):
    """The published rounds of a (scoped) query that still have meeting times to come."""
    return query.where(MeetingRound.published_at.is_null(False) & MeetingRound.id.in_(
        MeetingSlot.select(MeetingSlot.round).where(MeetingSlot.ends_at > now)))


@prepared
def current_of_parent(user_id, today, now):
    """`current(policy.meeting_rounds_visible_to(parent), now)`, its text built once: the
    family's meetings page and every tap in its grid ask for it."""
    return current(policy.meeting_rounds_of_parent(user_id, today), now)


@prepared
def open_of_parent(user_id, today, now):
    """`current_of_parent`, of them those open for booking now (the family's home card)."""
    return current(policy.meeting_rounds_of_parent(user_id, today), now).where(
        (MeetingRound.opens_at <= now) & (MeetingRound.closes_at > now))
