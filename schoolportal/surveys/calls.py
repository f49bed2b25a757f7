"""Calls for help: signing up and withdrawing under a hard limit of places, and reminders.

Capacity is guarded by the database, never by reading first: signing up inserts the
unique (call, parent) row and raises the call's `taken` with
`UPDATE help_call SET taken = taken + 1 WHERE id = ? AND taken < places`, both in one
transaction. When the update finds no room, the transaction is rolled back, sign-up row
and all. Two parents who press at the same moment are serialised by the database (SQLite:
BEGIN IMMEDIATE; PostgreSQL: the row lock of the UPDATE, after which the WHERE is checked
again), and a CHECK constraint (taken <= places) refuses anything that would slip past.
"""

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, IntegrityError, fn

from schoolportal.core import outbox, worker
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import ROLE_PARENT, Group, School, User, utcnow
from schoolportal.core.prepared import prepared_by_groups
from schoolportal.surveys import policy
from schoolportal.surveys.models import HelpCall, HelpSignup


class SignUp(enum.Enum):
    """How a sign-up went."""

    SIGNED_UP = "signed_up"
    ALREADY = "already"
    FULL = "full"
    CLOSED = "closed"


class _NoRoom(Exception):
    """Raised inside the transaction to roll the sign-up row back."""


def is_open(call, today):
    """People can sign up or withdraw until the day itself."""
    return call.event_on >= today


def sign_up(call, parent, today):
    """Take one place for this parent; never more sign-ups than places."""
    if not is_open(call, today):
        return SignUp.CLOSED
    try:
        with write_transaction():
            try:
                with db.atomic():
                    HelpSignup.create(call=call.id, parent=parent.id)
            except IntegrityError:
                return SignUp.ALREADY
            room = HelpCall.update(taken=HelpCall.taken + 1).where(
                (HelpCall.id == call.id) & (HelpCall.taken < HelpCall.places)).execute()
            if not room:
                raise _NoRoom
    except _NoRoom:
        return SignUp.FULL
    return SignUp.SIGNED_UP


def withdraw(call, parent, today):
    """Give the parent's place back; False when they had none (or the day has passed)."""
    if not is_open(call, today):
        return False
    with write_transaction():
        removed = HelpSignup.delete().where(
            (HelpSignup.call == call.id) & (HelpSignup.parent == parent.id)).execute()
        if removed:
            HelpCall.update(taken=HelpCall.taken - 1).where(
                (HelpCall.id == call.id) & (HelpCall.taken > 0)).execute()
    return bool(removed)


def change_places(call, places):
    """Set a new number of places; False when more people have signed up already."""
    with write_transaction():
        changed = HelpCall.update(places=places).where(
            (HelpCall.id == call.id) & (HelpCall.taken <= places)).execute()
    return bool(changed)


@dataclass
class CallRow:
    """A call in a list, and whether this parent helps."""

    call: object
    helping: bool = False


def upcoming_for(user, today):
    """The calls this user sees from today on, soonest first, with whether this parent
    helps: one statement."""
    return call_rows(user, upcoming_query(user, today))


def upcoming_query(user, today):
    """The calls behind `upcoming_for` (a prepared query, for the home page to read with its
    other cards; call_rows makes the rows of it)."""
    return _upcoming_by_groups(policy.call_groups(user), user.id, today)


def _upcoming(calls, user_id, today):
    helping = fn.EXISTS(HelpSignup.select(SQL("1")).where(
        (HelpSignup.call == HelpCall.id) & (HelpSignup.parent == user_id)))
    return (calls.select_extend(Group, helping.alias("user_helps"))
            .join(Group, JOIN.LEFT_OUTER, on=HelpCall.group == Group.id)
            .where(HelpCall.event_on >= today).order_by(HelpCall.event_on, HelpCall.id))


_upcoming_by_groups = prepared_by_groups(_upcoming, policy.calls_of_groups, HelpCall.select)


def call_rows(user, calls):
    """A CallRow for each call of `upcoming_query`, with whether this parent helps."""
    return [CallRow(call, user.role == ROLE_PARENT and bool(call.user_helps))
            for call in calls]


def helpers_of(calls):
    """The parents signed up for each call, keyed by call id, in one query."""
    by_call = {call.id: [] for call in calls}
    if by_call:
        rows = (HelpSignup.select(HelpSignup, User).join(User)
                .where(HelpSignup.call.in_(list(by_call)))
                .order_by(HelpSignup.created_at, HelpSignup.id))
        for row in rows:
            by_call[row.call_id].append(row.parent)
    return by_call


def signed_up_ids(parent, calls):
    """The ids of those calls this parent has signed up for, in one query."""
    ids = [call.id for call in calls]
    if not ids:
        return set()
    rows = HelpSignup.select(HelpSignup.call).where(
        (HelpSignup.parent == parent.id) & HelpSignup.call.in_(ids)).tuples()
    return {call_id for (call_id,) in rows}


def remind_helpers(today=None):
    """The day before (or on the day, if made that late): remind everyone who signed up.

    Once per call. Parents who chose "no email" get none; their home page shows the call.
    """
    today = today or worker.school_today()
    due = list(HelpCall.select().where(
        HelpCall.reminded_at.is_null()
        & HelpCall.event_on.between(today, today + timedelta(days=1))))
    school, reminded = School.current(), 0
    for call in due:
        with write_transaction():
            claimed = HelpCall.update(reminded_at=utcnow()).where(
                (HelpCall.id == call.id) & HelpCall.reminded_at.is_null()).execute()
            if not claimed:
                continue
            for helper in helpers_of([call])[call.id]:
                if helper.active and helper.mail_notifications != "never":
                    outbox.send(helper, "surveys/call_reminder",
                                _l("Reminder: %(title)s", title=call.title),
                                call=call, school=school,
                                link=outbox.absolute_url("surveys.call", call_id=call.id))
                    reminded += 1
    return reminded
