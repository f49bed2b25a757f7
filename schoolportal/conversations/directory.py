"""Who is in a group and how to reach them: the group directory and staff office hours.

A parent appears in a group's directory only after choosing to (DirectoryEntry), with the
children they have in that group; their email address and phone number only when they
chose to show those as well. Staff set office hours per weekday; outside them, a parent
writing to them sees when an answer can be expected.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schoolportal.conversations.models import DirectoryEntry, OfficeHours
from schoolportal.core import clock
from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_PARENT, Guardianship, Pupil, User, utcnow

WEEKDAYS = range(5)  # Monday to Friday: the school week offered in the form


@dataclass
class DirectoryParent:
    """A parent as the directory shows them: only what they chose to show."""

    user: User
    children: list  # Pupil, only those in this group
    email: str | None
    phone: str | None


def group_directory(group):
    """The parents who chose to appear, with their children in this group (one query)."""
    rows = (Guardianship.select(Guardianship, User, Pupil, DirectoryEntry)
            .join(User, on=(Guardianship.guardian == User.id))
            .join(DirectoryEntry, on=(DirectoryEntry.user == User.id), attr="entry")
            .switch(Guardianship).join(Pupil, on=(Guardianship.pupil == Pupil.id))
            .where((Pupil.group == group) & Pupil.at_school()
                   & (DirectoryEntry.show_in_directory == True)  # noqa: E712
                   & (User.role == ROLE_PARENT) & (User.active == True))  # noqa: E712
            .order_by(User.display_name, User.id, Pupil.first_name))
    parents = {}
    for row in rows:
        user, entry = row.guardian, row.guardian.entry
        listed = parents.get(user.id)
        if listed is None:
            listed = parents[user.id] = DirectoryParent(
                user, [], user.email if entry.show_email else None,
                entry.phone if entry.show_phone and entry.phone else None)
        listed.children.append(row.pupil)
    return list(parents.values())


def entry_of(user):
    """The user's directory choices, or the default (not shown) when never saved."""
    return DirectoryEntry.get_or_none(DirectoryEntry.user == user.id) or DirectoryEntry(
        user=user.id)


def save_entry(user, show_in_directory, show_email, show_phone, phone):
    """Store the user's directory choices (one upsert, safe when sent twice at once)."""
    values = {DirectoryEntry.show_in_directory: show_in_directory,
              DirectoryEntry.show_email: show_email, DirectoryEntry.show_phone: show_phone,
              DirectoryEntry.phone: phone, DirectoryEntry.updated_at: utcnow()}
    with write_transaction():
        DirectoryEntry.insert({DirectoryEntry.user: user.id, **values}).on_conflict(
            conflict_target=[DirectoryEntry.user], update=values).execute()


# --- office hours -------------------------------------------------------------------------

def hours_of(staff_ids):
    """Office hours per staff id, in weekday order, in one query."""
    hours = {staff_id: [] for staff_id in staff_ids}
    if hours:
        for row in OfficeHours.select().where(OfficeHours.staff.in_(list(hours))).order_by(
                OfficeHours.weekday, OfficeHours.starts_at):
            hours[row.staff_id].append(row)
    return hours


def save_hours(staff, periods):
    """Replace a staff member's office hours with {weekday: (starts_at, ends_at)}."""
    with write_transaction():
        OfficeHours.delete().where(OfficeHours.staff == staff.id).execute()
        rows = [{"staff": staff.id, "weekday": day, "starts_at": start, "ends_at": end}
                for day, (start, end) in sorted(periods.items())]
        if rows:
            OfficeHours.insert_many(rows).execute()


def school_now():
    """The current time at the school, time-zone aware."""
    return clock.school_now()


def next_opening(periods, now):
    """When these office hours open next (aware); None while they are open or when empty."""
    if not periods:
        return None
    for offset in range(8):
        day = (now + timedelta(days=offset)).date()
        for period in periods:
            if period.weekday != day.weekday():
                continue
            starts = datetime.combine(day, as_time(period.starts_at), now.tzinfo)
            ends = datetime.combine(day, as_time(period.ends_at), now.tzinfo)
            if starts <= now < ends:
                return None
            if starts > now:
                return starts
    return None


def answer_expected(hours_by_staff, now=None):
    """When an answer can be expected from any of these staff, as naive UTC; None if now.

    None as well when none of them set office hours: then nothing is promised.
    """
    now = now or school_now()
    planned = [periods for periods in hours_by_staff.values() if periods]
    if not planned:
        return None
    openings = [next_opening(periods, now) for periods in planned]
    if any(opening is None for opening in openings):
        return None  # someone is in office hours right now
    return min(openings).astimezone(UTC).replace(tzinfo=None)


def as_time(value):
    """A TimeField value as datetime.time (SQLite may hand back a string)."""
    if isinstance(value, str):
        return datetime.strptime(value[:5], "%H:%M").time()
    return value
