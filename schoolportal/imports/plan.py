"""What an import file would change: the plan that the preview shows and confirm follows.

The database is read with a few IN queries for all numbers and addresses in the file;
each row is then compared in memory. Nothing here writes.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from peewee import chunked, fn

from schoolportal.core.models import (
    ROLE_PARENT,
    Group,
    Guardianship,
    Pupil,
    User,
    school_year_of,
    utcnow,
)
from schoolportal.imports import pupil_csv
from schoolportal.imports.models import PupilKey
from schoolportal.imports.pupil_csv import RowError
from schoolportal.invitations.models import Invitation

# Rows per INSERT and values per IN list: far below SQLite's limit on bound values.
BATCH = 100
IN_BATCH = 500


@dataclass
class PupilLine:
    """A valid row of the file, with its group found in this school year."""

    row: int
    number: str
    first_name: str
    last_name: str
    birth_date: date
    group: Group
    emails: list

    @property
    def full_name(self):
        """First and last name as the file writes them."""
        return f"{self.first_name} {self.last_name}"

    @property
    def key(self):
        """The pupil number without regard to capitals, as pupils are matched."""
        return self.number.upper()


@dataclass
class Change:
    """One difference between a stored pupil and the file, as the preview shows it."""

    what: str
    old: str
    new: str


@dataclass
class Plan:
    """What a file would change: shown as the preview, followed exactly when confirmed."""

    today: date
    text: str = ""
    file_errors: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # RowError, in row order
    warnings: list = field(default_factory=list)
    new_pupils: list = field(default_factory=list)  # PupilLine
    updated: list = field(default_factory=list)  # (PupilLine, Pupil, [Change])
    unchanged: list = field(default_factory=list)  # PupilLine
    new_accounts: dict = field(default_factory=dict)  # email -> PupilLine (first child)
    links: list = field(default_factory=list)  # (email, PupilLine): new guardianships
    invitations: dict = field(default_factory=dict)  # email -> PupilLine: invited now
    waiting: dict = field(default_factory=dict)  # email -> (PupilLine, day the child turns 4)
    notices: list = field(default_factory=list)  # (email, PupilLine): active account linked

    @property
    def ok(self):
        """True when the file has no errors, so it may be applied."""
        return not self.file_errors and not self.errors

    @property
    def has_changes(self):
        """True when applying would change anything at all."""
        return bool(self.new_pupils or self.updated or self.links)

    @property
    def waiting_list(self):
        """(email, PupilLine) of the guardians whose invitation waits for the 4th birthday."""
        return [(email, line) for email, (line, _day) in self.waiting.items()]

    @property
    def waiting_days(self):
        """email -> the day its invitation goes out."""
        return {email: day for email, (_line, day) in self.waiting.items()}

    def digest(self):
        """A fingerprint of every write, to notice when the database moved since the preview."""
        parts = [f"new {p.number} {p.full_name} {p.birth_date} {p.group.id}"
                 for p in self.new_pupils]
        parts += [f"update {p.number} {p.full_name} {p.birth_date} {p.group.id}"
                  for p, _pupil, _changes in self.updated]
        parts += [f"account {email}" for email in self.new_accounts]
        parts += [f"link {email} {p.number}" for email, p in self.links]
        parts += [f"invite {email} {p.number}" for email, p in self.invitations.items()]
        parts += [f"notice {email} {p.number}" for email, p in self.notices]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def four_cutoff(today):
    """The latest birth date of a child who is 4 today (born on 29 February: 1 March)."""
    try:
        return today.replace(year=today.year - 4)
    except ValueError:
        return date(today.year - 4, 2, 28)


def fourth_birthday(birth_date):
    """The day a child turns 4 (born on 29 February: 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + 4)
    except ValueError:
        return date(birth_date.year + 4, 3, 1)


def invitation_day(birth_date, starts_on=None):
    """The day a guardian is invited: the administration's start date, else the 4th birthday."""
    return starts_on or fourth_birthday(birth_date)


def plan_for(data, today):
    """The plan for a file's bytes; nothing is written."""
    try:
        text = pupil_csv.decode(data)
        csv_file = pupil_csv.read(text, today)
    except pupil_csv.ImportFileError as error:
        return Plan(today, file_errors=[error.args[0]])
    plan = Plan(today, text=text, errors=list(csv_file.errors), warnings=csv_file.warnings)
    known = _Known.load(csv_file.rows, today)
    bad_rows = {error.row for error in plan.errors}
    seen, lines = {}, []
    for row in csv_file.rows:
        line = _line(row, csv_file.headers, known, seen, plan.errors)
        if line is not None and row.row not in bad_rows:
            lines.append(line)
    plan.errors.sort(key=lambda error: error.row)
    if plan.errors:
        return plan
    for line in lines:
        _plan_pupil(plan, line, known)
        _plan_guardians(plan, line, known)
    return plan


@dataclass
class _Known:
    """What the database already holds for the numbers and addresses in a file."""

    year: str  # the school year of the import day
    groups: dict  # group name key -> Group of that school year
    pupils: dict  # pupil number in capitals -> Pupil (with its group)
    users: dict  # email -> User
    links: set  # (guardian id, pupil id)
    invited: set  # ids of accounts with an invitation that still works
    starts: dict  # pupil id -> start date from the administration (EDEXML), when known

    @classmethod
    def load(cls, rows, today):
        """Five queries (a few more for files with over IN_BATCH pupils or addresses)."""
        numbers = {row.values.get("pupil_number") for row in rows} - {None, ""}
        emails = {email for row in rows for _header, email in row.emails}
        year = school_year_of(today)
        groups = Group.select().where(Group.school_year == year)
        pupils = pupils_by_number(numbers)
        users = where_in(User.select(), User.email, emails)
        pupil_ids = {pupil.id for pupil in pupils.values()}
        links = where_in(Guardianship.select(Guardianship.guardian, Guardianship.pupil),
                         Guardianship.pupil, pupil_ids, tuples=True)
        waiting = {user.id for user in users if not user.password_hash}
        invited = where_in(Invitation.usable(utcnow()), Invitation.user, waiting)
        starts = where_in(PupilKey.select(PupilKey.pupil, PupilKey.starts_on), PupilKey.pupil,
                          pupil_ids, tuples=True)
        return cls(
            year=year,
            groups={_group_key(group.name): group for group in groups},
            pupils=pupils,
            users={user.email: user for user in users},
            links=set(links),
            invited={invitation.user_id for invitation in invited},
            starts=dict(starts),
        )


def pupils_by_number(numbers):
    """Pupils (with their group) keyed by number in capitals: "rb-1001" finds "RB-1001"."""
    found = where_in(Pupil.select(Pupil, Group).join(Group), fn.UPPER(Pupil.pupil_number),
                     {number.upper() for number in numbers})
    return {pupil.pupil_number.upper(): pupil for pupil in found}


def where_in(query, column, values, tuples=False):
    """The rows whose column is one of the values, in one query per IN_BATCH values."""
    found = []
    for batch in chunked(sorted(values), IN_BATCH):
        batch_query = query.where(column.in_(batch))
        found.extend(batch_query.tuples() if tuples else batch_query)
    return found


def _group_key(name):
    """Group names match without regard to capitals or extra spaces."""
    return " ".join(name.split()).casefold()


def _line(row, headers, known, seen, errors):
    """A PupilLine for a row, after the checks that need the database; None on errors."""
    values, before = row.values, len(errors)
    number = values.get("pupil_number")
    if number:
        if number.upper() in seen:
            errors.append(RowError(row.row, headers["pupil_number"], _l(
                "Pupil number %(number)s is also in row %(row)d.", number=number,
                row=seen[number.upper()])))
        seen.setdefault(number.upper(), row.row)
    group = known.groups.get(_group_key(values.get("group") or ""))
    if values.get("group") and group is None:
        errors.append(RowError(row.row, headers["group"], _l(
            "There is no group “%(group)s” in school year %(year)s. Create it first or "
            "correct the name.", group=values["group"][:50], year=known.year)))
    for header, email in row.emails:
        user = known.users.get(email)
        if user is not None and user.role != ROLE_PARENT:
            errors.append(RowError(row.row, header, _l(
                "This address belongs to an account with another role.")))
        elif user is not None and not user.active:
            errors.append(RowError(row.row, header, _l(
                "This address belongs to a deactivated account.")))
    if len(errors) > before or None in values.values():
        return None
    return PupilLine(row.row, number, values["first_name"], values["last_name"],
                     values["birth_date"], group, [email for _h, email in row.emails])


def _plan_pupil(plan, line, known):
    """New, changed or unchanged: compare the line with the stored pupil."""
    pupil = known.pupils.get(line.key)
    if pupil is None:
        plan.new_pupils.append(line)
        return
    changes = []
    if (pupil.first_name, pupil.last_name) != (line.first_name, line.last_name):
        changes.append(Change(_l("name"), pupil.full_name, line.full_name))
    if pupil.birth_date != line.birth_date:
        changes.append(Change(_l("birth date"), _day(pupil.birth_date), _day(line.birth_date)))
    if pupil.group_id != line.group.id:
        changes.append(Change(_l("group"), pupil.group.name, line.group.name))
    if changes:
        plan.updated.append((line, pupil, changes))
    else:
        plan.unchanged.append(line)


def _day(day):
    """A date as the file writes it."""
    return day.strftime("%d-%m-%Y")


def _plan_guardians(plan, line, known):
    """New guardianships only; who of them gets an invitation or a notice now."""
    pupil = known.pupils.get(line.key)
    for email in line.emails:
        user = known.users.get(email)
        if user is not None and pupil is not None and (user.id, pupil.id) in known.links:
            continue  # linked already: a re-import sends nothing
        plan.links.append((email, line))
        if user is None:
            plan.new_accounts.setdefault(email, line)
        elif user.password_hash:
            plan.notices.append((email, line))
            continue
        elif user.id in known.invited:
            continue  # the link they have still works and will show this child too
        if email in plan.invitations:
            continue  # one invitation per person, also for siblings
        day = invitation_day(line.birth_date, known.starts.get(pupil.id) if pupil else None)
        if day <= plan.today:
            plan.invitations[email] = line
            plan.waiting.pop(email, None)
        else:
            plan.waiting.setdefault(email, (line, day))
