"""The school-year rollover: plan who goes where next year, then apply exactly that plan.

Rules (Dutch primary school):
- A group's level comes from its name: "Groep 5" is level 5, "Groep 1/2A" covers 1 and 2.
- A pupil in a combined group gets a level from the birth date: age on 1 October of the
  school year's first calendar year minus 3 (4 years old: groep 1, 5: groep 2), kept
  within the group's levels. Admins correct a wrong guess in the preview.
- Next year a pupil goes one level up: to the group of the new year that covers that
  level (its own group when it does, else one with the same letter, else the first in
  school order). A level without a group gets a new "Groep N" without staff.
- Groep 8 leaves school: `left_on` becomes 31 July, or the rollover day when later.
- Every current group continues in the new year under the same name, with the same
  staff; the old groups are archived (read-only, reactions closed).
- Exceptions per pupil: "repeat" (stays at the same level: the new-year group with the
  same name), "leave", or the name of another new-year group.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from peewee import IntegrityError, fn

from schoolportal.core import audit
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, GroupStaff, Pupil, school_year_of, utcnow
from schoolportal.feed.models import Post
from schoolportal.rollover.models import YearRollover

LEVELS = re.compile(r"(?P<low>[1-8])(?:\s*/\s*(?P<high>[1-8]))?(?P<letter>[A-Za-z]?)\s*$")
LAST_LEVEL = 8
REPEAT, LEAVE = "repeat", "leave"


class RolloverRefused(Exception):
    """The rollover cannot be applied; `code` says why ("done", "stale", "choice")."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass
class NextGroup:
    """A group of the new school year: one that continues, or a new one."""

    name: str
    sort_order: int
    source: Group | None = None  # the current group it continues; None for a new group
    staff: list = field(default_factory=list)
    size: int = 0  # pupils it will have, as planned


@dataclass
class Move:
    """Where one pupil goes: `to` is a new-year group name, or None for leaving school."""

    pupil: Pupil
    level: int | None  # the level worked out in a combined group, else None
    proposal: str | None
    choice: str = ""  # "", REPEAT, LEAVE or a group name: the admin's exception
    to: str | None = None
    kind: str = "next"  # next, repeat, leave, other


@dataclass
class Plan:
    """The rollover of one school year as the preview shows it and apply carries it out."""

    from_year: str
    to_year: str
    groups: list  # current groups, in school order
    next_groups: list  # NextGroup, in school order
    moves: list  # Move per pupil at school, by current group then name
    fingerprint: str
    counts: dict = field(default_factory=dict)

    def moves_of(self, group):
        """The moves of one current group's pupils."""
        return [move for move in self.moves if move.pupil.group_id == group.id]

    def choices_for(self, move, group):
        """The new-year groups offered to one pupil: those of the levels from staying to the
        proposal (a far-off group is a move in the pupil's page after the rollover), groups
        without a level, and the one already chosen. Apply accepts every new-year group."""
        own = levels_of(group.name)
        target = levels_of(move.proposal) if move.proposal else None
        if own is None:
            return [g.name for g in self.next_groups]
        low = move.level or own[0]
        high = max(low, target[1] if target else own[1])
        offered = []
        for next_group in self.next_groups:
            found = levels_of(next_group.name)
            if (found is None or (found[0] <= high and found[1] >= low)
                    or next_group.name == move.choice):
                offered.append(next_group.name)
        return offered


def next_year(year):
    """The school year after "2026-2027"."""
    start = int(year[:4]) + 1
    return f"{start}-{start + 1}"


def levels_of(name):
    """(low, high, letter) of a group name ("Groep 1/2A" -> (1, 2, "A")), or None."""
    match = LEVELS.search(name)
    if not match:
        return None
    low = int(match["low"])
    high = int(match["high"] or low)
    return (low, high, match["letter"].upper()) if low <= high else None


def level_of(pupil, group_levels, year):
    """A pupil's level in a group: its only level, or from the birth date in a combined group."""
    low, high, _letter = group_levels
    if low == high:
        return low
    first_october = date(int(year[:4]), 10, 1)
    born = pupil.birth_date
    age = first_october.year - born.year - ((born.month, born.day) > (10, 1))
    return min(max(age - 3, low), high)


def leaving_day(year, today):
    """The day pupils leave: 31 July at the end of the year, or today when that is later."""
    return max(date(int(year[5:]), 7, 31), today)


def current_year(today):
    """The school year to roll over, or None when there is nothing to roll over.

    That is the latest year with groups that are not archived, not later than today's
    school year (groups made ahead for next year do not count, nor does the year just
    rolled into) and later than the last year rolled over.
    """
    last = YearRollover.select(fn.MAX(YearRollover.from_year)).scalar()
    query = Group.select(fn.MAX(Group.school_year)).where(
        Group.archived_at.is_null() & (Group.school_year <= school_year_of(today)))
    if last:
        query = query.where(Group.school_year > last)
    return query.scalar()


def make_plan(today, choices=None):
    """The plan for rolling over the current school year, with the admin's exceptions."""
    year = current_year(today)
    if year is None:
        return None
    groups = list(Group.ordered().where(
        (Group.school_year == year) & Group.archived_at.is_null()))
    staff = GroupStaff.staff_by_group(groups)
    pupils = list(Pupil.select().where(Pupil.group.in_([g.id for g in groups])
                                       & Pupil.at_school(today))
                  .order_by(Pupil.first_name, Pupil.last_name, Pupil.id))
    next_groups = _next_groups(groups, staff, pupils, year)
    by_id = {g.id: g for g in groups}
    order = {g.id: i for i, g in enumerate(groups)}
    pupils.sort(key=lambda p: order[p.group_id])
    moves = [_move(p, by_id[p.group_id], groups, year) for p in pupils]
    plan = Plan(year, next_year(year), groups, next_groups, moves,
                _fingerprint(groups, staff, pupils))
    _choose(plan, choices or {})
    return plan


def _next_groups(groups, staff, pupils, year):
    """The new year's groups: every current one continues; missing levels get a new group."""
    result = [NextGroup(g.name, g.sort_order, g, staff[g.id]) for g in groups]
    covered = set()
    for g in groups:
        found = levels_of(g.name)
        if found:
            covered.update(range(found[0], found[1] + 1))
    by_id = {g.id: g for g in groups}
    needed = set()
    for pupil in pupils:
        found = levels_of(by_id[pupil.group_id].name)
        if found and level_of(pupil, found, year) < LAST_LEVEL:
            needed.add(level_of(pupil, found, year) + 1)
    result += [NextGroup(f"Groep {level}", level) for level in sorted(needed - covered)]
    result.sort(key=lambda g: (g.sort_order, g.name))
    return result


def _target(group, level, groups):
    """The name of the new-year group for a pupil of `group` going to `level`."""
    covering = [g for g in groups if (found := levels_of(g.name))
                and found[0] <= level <= found[1]]
    if not covering:
        return f"Groep {level}"
    letter = levels_of(group.name)[2]
    for candidate in [group] + [g for g in covering if levels_of(g.name)[2] == letter]:
        if candidate in covering:
            return candidate.name
    return covering[0].name


def _move(pupil, group, groups, year):
    """The proposal for one pupil: up one level, leave after groep 8, or stay (no level)."""
    found = levels_of(group.name)
    if pupil.left_on is not None:  # leaving already announced
        return Move(pupil, None, None)
    if found is None:
        return Move(pupil, None, group.name)
    level = level_of(pupil, found, year)
    shown = level if found[0] != found[1] else None  # only a derived level is worth showing
    if level >= LAST_LEVEL:
        return Move(pupil, shown, None)
    return Move(pupil, shown, _target(group, level + 1, groups))


def _choose(plan, choices):
    """Apply the admin's exceptions ({pupil id: choice}) and count the outcome."""
    names = {g.name for g in plan.next_groups}
    by_id = {g.id: g for g in plan.groups}
    counts = {"next": 0, "repeat": 0, "leave": 0, "other": 0}
    sizes = dict.fromkeys(names, 0)
    for move in plan.moves:
        choice = choices.get(move.pupil.id, "")
        if choice not in ("", REPEAT, LEAVE) and choice not in names:
            raise RolloverRefused("choice")
        move.choice = choice
        own = by_id[move.pupil.group_id].name
        move.to = {"": move.proposal, REPEAT: own, LEAVE: None}.get(choice, choice)
        if move.to is None:
            move.kind = "leave"
        elif choice == REPEAT or (choice and move.to == own and move.proposal != own):
            move.kind = "repeat"
        else:
            move.kind = "other" if choice and move.to != move.proposal else "next"
        counts[move.kind] += 1
        if move.to is not None:
            sizes[move.to] += 1
    plan.counts = counts
    for group in plan.next_groups:
        group.size = sizes[group.name]


def _fingerprint(groups, staff, pupils):
    """A short hash of everything the plan depends on, to notice a stale preview."""
    parts = [(g.id, g.name, g.sort_order, tuple(s.id for s in staff[g.id])) for g in groups]
    parts += sorted((p.id, p.group_id, str(p.birth_date), str(p.left_on)) for p in pupils)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def apply(user, from_year, fingerprint, choices, today):
    """Carry out the plan the admin reviewed, in one transaction; returns the YearRollover.

    Refused ("done") when the year was rolled over already, ("stale") when pupils,
    groups or staff changed since the preview, ("choice") for an unknown choice.
    """
    try:
        with write_transaction():
            plan = make_plan(today, choices)
            if plan is None or plan.from_year != from_year:
                raise RolloverRefused("done" if _done(from_year) else "stale")
            if plan.fingerprint != fingerprint:
                raise RolloverRefused("stale")
            record = YearRollover.create(
                from_year=plan.from_year, to_year=plan.to_year, done_by=user.id,
                moved=len([m for m in plan.moves if m.to is not None]),
                repeated=plan.counts["repeat"], left=plan.counts["leave"],
                groups_created=len([g for g in plan.next_groups if g.source is None]))
            _carry_out(plan, user, today)
            audit.record("rollover", "year_rollover", record.id, actor=user,
                         from_year=plan.from_year, to_year=plan.to_year, moved=record.moved,
                         repeated=record.repeated, left=record.left,
                         groups_created=record.groups_created)
            return record
    except IntegrityError:
        raise RolloverRefused("done") from None


def _done(from_year):
    """True when this school year was rolled over already."""
    return YearRollover.select().where(YearRollover.from_year == from_year).exists()


def _carry_out(plan, user, today):
    """Create the new groups, copy their staff, move pupils, archive the old groups."""
    now = utcnow()
    # A group made ahead for next year under the same name is used, not made twice.
    Group.insert_many([{"name": g.name, "school_year": plan.to_year, "sort_order": g.sort_order}
                       for g in plan.next_groups]).on_conflict_ignore().execute()
    new_ids = dict(Group.select(Group.name, Group.id)
                   .where(Group.school_year == plan.to_year).tuples())
    staff_rows = [{"staff": s.id, "group": new_ids[g.name]}
                  for g in plan.next_groups for s in g.staff]
    if staff_rows:
        GroupStaff.insert_many(staff_rows).on_conflict_ignore().execute()
    going = {}
    for move in plan.moves:
        going.setdefault(move.to, []).append(move.pupil.id)
    leavers = going.pop(None, [])
    for name, pupil_ids in going.items():  # one update per new group, not per pupil
        Pupil.update(group=new_ids[name]).where(Pupil.id.in_(pupil_ids)).execute()
    if leavers:
        Pupil.update(left_on=leaving_day(plan.from_year, today)).where(
            Pupil.id.in_(leavers) & Pupil.left_on.is_null()).execute()
    old_ids = [g.id for g in plan.groups]
    archived = Group.update(archived_at=now).where(
        Group.id.in_(old_ids) & Group.archived_at.is_null()).execute()
    if archived != len(old_ids):
        raise RolloverRefused("stale")
    Post.update(comments_closed_at=now, comments_closed_by=user.id).where(
        Post.group.in_(old_ids) & Post.comments_closed_at.is_null()).execute()


def archived_years(groups):
    """Archived groups by school year, newest year first: [(year, [groups])]."""
    years = {}
    for group in groups:
        years.setdefault(group.school_year, []).append(group)
    return sorted(years.items(), reverse=True)
