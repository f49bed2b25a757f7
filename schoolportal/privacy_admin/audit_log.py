"""Reading the audit log: the admin's filtered, paged list and what each entry is about.

The log itself is written by `audit.record` and never changed. This module only reads:
newest first, filtered by action and by days at the school (Europe/Amsterdam), paged by
id (keyset: "older than entry N"), with the actors and subjects fetched in one query each.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from peewee import JOIN

from schoolportal.core.models import AuditEntry, Pupil, User

PER_PAGE = 50


@dataclass(frozen=True)
class Subject:
    """What an entry is about, as the page shows it."""

    kind: str  # "pupil", "user" (also for "account"), "absence_day", ... or "" for none
    id: int | None
    name: str  # a current name, or "" when it no longer exists or has none
    exists: bool
    role: str = ""  # of an account: its page is linked only for staff and admins


def _utc_start_of(day):
    """The UTC moment (naive, as stored) at which a school day begins."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam"))
    moment = datetime.combine(day, time(), tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def page(query, action="", since=None, until=None, before=None, per_page=PER_PAGE):
    """(entries, id to continue before or None): one page of `query`, newest first."""
    if action:
        query = query.where(AuditEntry.action == action)
    if since:
        query = query.where(AuditEntry.at >= _utc_start_of(since))
    if until:
        query = query.where(AuditEntry.at < _utc_start_of(until + timedelta(days=1)))
    if before:
        query = query.where(AuditEntry.id < before)
    actor = User.alias()
    rows = list(query.select_extend(actor.display_name, actor.role)
                .join(actor, on=(AuditEntry.actor == actor.id), join_type=JOIN.LEFT_OUTER)
                .order_by(AuditEntry.id.desc()).limit(per_page + 1).objects())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].id if more else None)


def details_of(entry):
    """The entry's details as a dict (ids and codes only)."""
    try:
        value = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def subjects(entries):
    """{entry id: Subject}, with the current names of pupils and accounts (a query each)."""
    wanted = {"pupil": set(), "user": set()}
    for entry in entries:
        if _kind(entry) in wanted and entry.subject_id is not None:
            wanted[_kind(entry)].add(entry.subject_id)
    names = {("pupil", p.id): (p.full_name, "") for p in Pupil.select().where(
        Pupil.id.in_(list(wanted["pupil"])))} if wanted["pupil"] else {}
    if wanted["user"]:
        names.update({("user", u.id): (u.display_name, u.role) for u in User.select(
            User.id, User.display_name, User.role).where(User.id.in_(list(wanted["user"])))})
    found = {}
    for entry in entries:
        key = (_kind(entry), entry.subject_id)
        if key[0] in wanted:
            name, role = names.get(key, ("", ""))
            found[entry.id] = Subject(*key, name, key in names, role)
        else:
            found[entry.id] = Subject(*key, "", entry.subject_type == "absence_day")
    return found


def _kind(entry):
    """The entry's subject type, with the family export's "account" read as "user"."""
    return "user" if entry.subject_type == "account" else entry.subject_type
