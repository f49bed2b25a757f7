"""What an EDEXML export would change: the plan that the preview shows and apply follows.

Matching keeps the administration's keys: a group by its key in this school year, else by
name; a pupil by key, else (pupils without a key only) by a pupil number equal to the key,
else by a single pupil with the same name and birth date; a teacher by key, else by email.
The database is read with a few queries for the whole file; nothing here writes.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from schoolportal.core.models import (
    ROLE_PARENT,
    Group,
    GroupStaff,
    Pupil,
    User,
    school_year_of,
)
from schoolportal.imports import edexml
from schoolportal.imports.models import EdexmlImport, GroupKey, PupilKey, TeacherKey
from schoolportal.imports.plan import Change, where_in
from schoolportal.imports.pupil_csv import PUPIL_NUMBER


@dataclass
class PupilUpdate:
    """A pupil the file renames, corrects or moves."""

    line: edexml.EdexPupil
    pupil: Pupil
    changes: list  # Change
    moves: bool  # the group changes


@dataclass
class TeacherLine:
    """A teacher with something to do: an account to make, groups to link, a key to keep."""

    teacher: edexml.EdexTeacher
    user: User | None  # None: a new staff account, invited
    group_keys: list  # keys of the file groups to link the teacher to
    keep_key: bool


@dataclass
class EdexPlan:
    """What a file would change: shown as the preview, followed exactly when applied."""

    today: date
    export: edexml.Export | None = None
    file_errors: list = field(default_factory=list)
    year: str = ""
    groups: dict = field(default_factory=dict)  # file group key -> existing Group
    new_groups: list = field(default_factory=list)  # EdexGroup
    renamed_groups: list = field(default_factory=list)  # (Group, EdexGroup)
    keyed_groups: list = field(default_factory=list)  # (Group, EdexGroup): found by name
    new_pupils: list = field(default_factory=list)  # (EdexPupil, pupil number or None)
    updated: list = field(default_factory=list)  # PupilUpdate
    keyed_pupils: list = field(default_factory=list)  # (EdexPupil, Pupil): found without key
    start_dates: list = field(default_factory=list)  # (EdexPupil, Pupil): instroomdatum
    unchanged: int = 0
    leaving: list = field(default_factory=list)  # Pupil at school, not in the file
    teachers: list = field(default_factory=list)  # TeacherLine

    @property
    def errors(self):
        """Problems in the file's contents that stop it from being applied."""
        return self.export.errors if self.export else []

    @property
    def warnings(self):
        """Parts of the file that are skipped, for the office to know."""
        return self.export.warnings if self.export else []

    @property
    def ok(self):
        """True when the file may be applied."""
        return not self.file_errors and not self.errors

    @property
    def has_changes(self):
        """True when applying would write anything at all."""
        return bool(self.new_groups or self.renamed_groups or self.keyed_groups
                    or self.new_pupils or self.updated or self.keyed_pupils
                    or self.start_dates or self.teachers)

    @property
    def moved(self):
        """The updates that move a pupil to another group."""
        return [update for update in self.updated if update.moves]

    @property
    def new_teachers(self):
        """Teachers who get an account and an invitation."""
        return [line for line in self.teachers if line.user is None]

    def group_name(self, key):
        """The name a file group will have in the portal."""
        return self.export.group_by_key[key].name

    def digest(self):
        """A fingerprint of every write and proposal, to notice a stale preview."""
        export = self.export
        parts = [f"school {export.school_year} {export.brincode}"]
        parts += [f"group {g.key} {g.name} {g.year_group}" for g in self.new_groups]
        parts += [f"rename {group.id} {g.name}" for group, g in self.renamed_groups]
        parts += [f"group key {group.id} {g.key}" for group, g in self.keyed_groups]
        parts += [f"pupil {p.key} {p.full_name} {p.birth_date} {p.group_key} {p.starts_on} "
                  f"{number}" for p, number in self.new_pupils]
        parts += [f"update {u.pupil.id} {u.line.full_name} {u.line.birth_date} "
                  f"{u.line.group_key} " + " ".join(f"{c.old}>{c.new}" for c in u.changes)
                  for u in self.updated]
        parts += [f"pupil key {pupil.id} {p.key} {p.starts_on}" for p, pupil in self.keyed_pupils]
        parts += [f"start {pupil.id} {p.starts_on}" for p, pupil in self.start_dates]
        parts += [f"leaving {pupil.id}" for pupil in self.leaving]
        parts += [f"teacher {t.teacher.key} {t.teacher.email} {t.user.id if t.user else None} "
                  f"{t.group_keys} {t.keep_key}" for t in self.teachers]
        return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def plan_for(export, today):
    """The plan for a read Export; nothing is written."""
    plan = EdexPlan(today, export, year=school_year_of(today))
    _check_school(plan, export)
    if not plan.ok:
        return plan
    _plan_groups(plan, export)
    if not plan.ok:
        return plan
    _plan_pupils(plan, export)
    _plan_teachers(plan, export)
    return plan


def _check_school(plan, export):
    """The file is of this school year and of the school of earlier imports."""
    if export.school_year and export.school_year != plan.year:
        plan.file_errors.append(_l(
            "This file is of school year %(file)s; the portal is in school year %(year)s. "
            "Export the current school year from the administration.",
            file=export.school_year, year=plan.year))
    last = EdexmlImport.latest_applied()
    if last and last.brincode and export.brincode and last.brincode != export.brincode:
        plan.file_errors.append(_l(
            "This file is of the school with BRIN code %(file)s; earlier imports were of "
            "%(brin)s. Check that you chose the export of your own school.",
            file=export.brincode, brin=last.brincode))


def _name_key(name):
    """Names match without regard to capitals or extra spaces."""
    return " ".join(name.split()).casefold()


def _plan_groups(plan, export):
    """Each file group found by key, else by name (its key kept), else new."""
    groups = list(Group.select().where(Group.school_year == plan.year))
    by_id = {group.id: group for group in groups}
    keyed = {row.key: by_id.get(row.group_id)
             for row in GroupKey.select().where(GroupKey.school_year == plan.year)}
    has_key = {group.id for group in keyed.values() if group}
    by_name = {_name_key(group.name): group for group in groups}
    names = {}
    for line in export.groups:
        group = keyed.get(line.key)
        if group is None:
            group = by_name.get(_name_key(line.name))
            if group is not None and group.id in has_key:
                group = None  # another key's group: this is a new one with the same name
                plan.export.errors.append(_l(
                    "The group “%(name)s” in the file has another key than the group of "
                    "that name in the portal.", name=line.name))
            elif group is not None:
                plan.keyed_groups.append((group, line))
        elif group.name != line.name:
            taken = by_name.get(_name_key(line.name))
            if taken is not None and taken.id != group.id:
                plan.export.errors.append(_l(
                    "The group “%(old)s” cannot be renamed to “%(name)s”: another group "
                    "has that name.", old=group.name, name=line.name))
            plan.renamed_groups.append((group, line))
        if _name_key(line.name) in names:
            plan.export.errors.append(_l("Two groups in the file are called “%(name)s”.",
                                         name=line.name))
        names[_name_key(line.name)] = line
        if group is None:
            plan.new_groups.append(line)
        else:
            plan.groups[line.key] = group


def _plan_pupils(plan, export):
    """New, changed or unchanged; pupils at school the file leaves out are proposed leaving."""
    # Whole tables in one query each (a school has about a thousand rows): fewer round trips
    # than IN lists of a thousand keys.
    keyed = {row.key: row for row in PupilKey.select(PupilKey, Pupil, Group).join(Pupil)
             .join(Group)}
    at_school = list(Pupil.select(Pupil, Group, PupilKey).join(Group).switch(Pupil)
                     .join(PupilKey, JOIN.LEFT_OUTER, on=(PupilKey.pupil == Pupil.id),
                           attr="edex_key")
                     .where(Pupil.at_school(plan.today))
                     .order_by(Group.sort_order, Group.name, Pupil.last_name, Pupil.first_name))
    unkeyed = [pupil for pupil in at_school if _key_of(pupil) is None]
    by_number = {pupil.pupil_number.upper(): pupil for pupil in unkeyed if pupil.pupil_number}
    by_name = {}
    for pupil in unkeyed:
        by_name.setdefault((_name_key(pupil.full_name), pupil.birth_date), []).append(pupil)
    numbers_taken = {number.upper() for (number,) in Pupil.select(Pupil.pupil_number).where(
        Pupil.pupil_number.is_null(False)).tuples()}
    matched = set()
    for line in export.pupils:
        row = keyed.get(line.key)
        pupil = row.pupil if row else None
        if pupil is None:
            pupil = by_number.get(line.key.upper())
            if pupil is None:
                found = by_name.get((_name_key(line.full_name), line.birth_date), [])
                pupil = found[0] if len(found) == 1 else None
            if pupil is not None and pupil.id in matched:
                pupil = None
            if pupil is not None:
                plan.keyed_pupils.append((line, pupil))
        if pupil is None:
            if line.group_key:
                usable = PUPIL_NUMBER.match(line.key) and len(line.key) <= 32 \
                    and line.key.upper() not in numbers_taken
                plan.new_pupils.append((line, line.key if usable else None))
            continue
        matched.add(pupil.id)
        _plan_pupil(plan, line, pupil, row)
    plan.leaving = [pupil for pupil in at_school if pupil.id not in matched]


def _key_of(pupil):
    """The PupilKey joined to a pupil, or None."""
    key = getattr(pupil, "edex_key", None)
    return key if key is not None and key.id is not None else None


def _plan_pupil(plan, line, pupil, row):
    """Compare one pupil with the file: rename, correct, move, or nothing."""
    if pupil.left_on is not None and pupil.left_on <= plan.today:
        plan.export.warnings.append(_l(
            "%(name)s is in the file but left school on %(day)s in the portal; nothing is "
            "changed for this pupil.", name=pupil.full_name,
            day=pupil.left_on.strftime("%d-%m-%Y")))
        return
    if row is not None and row.starts_on != line.starts_on:
        plan.start_dates.append((line, pupil))
    if line.group_key is None:
        plan.unchanged += 1
        return
    changes = []
    if (pupil.first_name, pupil.last_name) != (line.first_name, line.last_name):
        changes.append(Change(_l("name"), pupil.full_name, line.full_name))
    if pupil.birth_date != line.birth_date:
        changes.append(Change(_l("birth date"), pupil.birth_date.strftime("%d-%m-%Y"),
                              line.birth_date.strftime("%d-%m-%Y")))
    target = plan.groups.get(line.group_key)
    moves = target is None or target.id != pupil.group_id
    if moves:
        changes.append(Change(_l("group"), pupil.group.name, plan.group_name(line.group_key)))
    if changes:
        plan.updated.append(PupilUpdate(line, pupil, changes, moves))
    else:
        plan.unchanged += 1


def _plan_teachers(plan, export):
    """Each teacher found by key or email, linked to their groups, invited when new."""
    rows = list(TeacherKey.select(TeacherKey, User).join(User))
    keyed = {row.key: row.user for row in rows}
    key_owners = {row.user_id for row in rows}
    by_email = {user.email: user for user in where_in(
        User.select(), User.email, {t.email for t in export.teachers})}
    group_ids = [group.id for group in plan.groups.values()]
    links = set(GroupStaff.select(GroupStaff.staff, GroupStaff.group)
                .where(GroupStaff.group.in_(group_ids)).tuples()) if group_ids else set()
    for teacher in export.teachers:
        user = keyed.get(teacher.key) or by_email.get(teacher.email)
        if user is not None and (user.role == ROLE_PARENT or not user.active):
            export.warnings.append(_l(
                "The address %(email)s of teacher %(name)s belongs to a parent's or a "
                "deactivated account; this teacher is skipped.",
                email=teacher.email, name=teacher.name))
            continue
        new_links = [key for key in teacher.group_keys if user is None
                     or key not in plan.groups
                     or (user.id, plan.groups[key].id) not in links]
        keep_key = user is not None and teacher.key not in keyed and user.id not in key_owners
        if user is None or new_links or keep_key:
            plan.teachers.append(TeacherLine(teacher, user, new_links, keep_key))
