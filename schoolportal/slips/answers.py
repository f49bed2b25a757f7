"""Answering a slip for a child: checking the answers, storing them, the history.

Either guardian answers for a child and may change the answer until the deadline. The
current answer is one row per (slip, child); a write inserts it (version 1) or raises its
version with a conditional UPDATE (`WHERE version = <the version just read>`). When two
guardians write at the same moment the database lets one through first; the other finds
the row changed, reads it again and writes the next version. Both versions land in the
history; the later one is the current answer.
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, IntegrityError, fn

from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Pupil, User, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.slips import policy
from schoolportal.slips.models import (
    CHOICE,
    TEXT,
    YES_NO,
    Slip,
    SlipAnswer,
    SlipAnswerHistory,
    SlipQuestion,
)

TEXT_MAX = 300
ATTEMPTS = 5
FIELD = re.compile(r"^q(\d+)$")


class SlipClosed(Exception):
    """The deadline has passed: the answer can no longer be given or changed."""


def questions_of(slip):
    """The slip's questions in order."""
    return list(SlipQuestion.select().where(SlipQuestion.slip == slip.id)
                .order_by(SlipQuestion.position, SlipQuestion.id))


def parse(questions, form):
    """The answers from a submitted form: ({question id (str): value}, {field: message})."""
    values, errors = {}, {}
    for question in questions:
        name = f"q{question.id}"
        raw = (form.get(name) or "").strip()
        if question.kind == YES_NO and raw not in ("", "yes", "no"):
            raw = ""
        if question.kind == CHOICE and raw and raw not in question.option_list:
            errors[name] = _l("Choose one of the options.")
            continue
        if question.kind == TEXT and len(raw) > TEXT_MAX:
            errors[name] = _l("Use at most %(max)d characters.", max=TEXT_MAX)
            raw = raw[:TEXT_MAX]
        if not raw and question.required:
            errors[name] = _l("Please answer this question.")
        if raw:
            values[str(question.id)] = raw
    return values, errors


@dataclass
class Saved:
    """What a write did: the version stored, and the answer it replaced (if any)."""

    version: int
    replaced: object = None  # the SlipAnswer as it was before, or None for a first answer
    overtaken: bool = False  # someone else answered after this guardian opened the form


def submit(slip, pupil, account, values, seen_version, today):
    """Store a child's answer as the next version, with its history row; see the docstring."""
    if not slip.is_open(today):
        raise SlipClosed()
    payload = json.dumps(values, sort_keys=True, ensure_ascii=False)
    for _attempt in range(ATTEMPTS):
        saved = _try_write(slip, pupil, account, payload, seen_version)
        if saved is not None:
            return saved
    raise RuntimeError("slip answer kept changing under us")  # pragma: no cover


def _try_write(slip, pupil, account, payload, seen_version):
    """One attempt in one transaction; None when another guardian's write came first."""
    now = utcnow()
    with write_transaction():
        current = SlipAnswer.get_or_none((SlipAnswer.slip == slip.id)
                                         & (SlipAnswer.pupil == pupil.id))
        if current is None:
            try:
                with db.atomic():
                    SlipAnswer.create(slip=slip.id, pupil=pupil.id, answered_by=account.id,
                                      answered_at=now, version=1, answer_json=payload)
            except IntegrityError:
                return None  # the other guardian's first answer is in: read it and go on
            version = 1
        else:
            version = current.version + 1
            changed = SlipAnswer.update(
                version=version, answer_json=payload, answered_by=account.id, answered_at=now,
            ).where((SlipAnswer.id == current.id)
                    & (SlipAnswer.version == current.version)).execute()
            if not changed:
                return None
        SlipAnswerHistory.create(slip=slip.id, pupil=pupil.id, version=version,
                                 answered_by=account.id, answered_at=now, answer_json=payload)
    overtaken = current is not None and current.version != (seen_version or 0)
    return Saved(version, current, overtaken)


def current_answers(slip, pupils=None):
    """{pupil id: SlipAnswer (with answered_by)} for the slip, for some pupils or all."""
    query = (SlipAnswer.select(SlipAnswer, User).join(User, on=SlipAnswer.answered_by,
                                                      join_type=JOIN.LEFT_OUTER)
             .where(SlipAnswer.slip == slip.id))
    if pupils is not None:
        query = query.where(SlipAnswer.pupil.in_([p.id for p in pupils] or [0]))
    return {answer.pupil_id: answer for answer in query}


def history_of(slip, pupil):
    """Every version of a child's answer, newest first, with who gave it."""
    return list(SlipAnswerHistory.select(SlipAnswerHistory, User)
                .join(User, on=SlipAnswerHistory.answered_by, join_type=JOIN.LEFT_OUTER)
                .where((SlipAnswerHistory.slip == slip.id)
                       & (SlipAnswerHistory.pupil == pupil.id))
                .order_by(SlipAnswerHistory.version.desc()))


@dataclass
class ChildRow:
    """A slip in a parent's list, for one child: answered or still to fill in."""

    slip: object
    child: object
    answer: object = None
    open: bool = True

    @property
    def todo(self):
        """True while the slip still waits for this child's answer."""
        return self.answer is None and self.open


def rows_for_parent(user, today, shown_after_deadline=30):
    """Per slip and child of this parent: open ones to fill in first, then answered, closed.

    Three queries whatever the number of slips (the menu's badge asks on every page).
    """
    slips = list(policy.answerable_slips(user).where(
        Slip.deadline >= today - timedelta(days=shown_after_deadline))
        .order_by(Slip.deadline, Slip.id))
    if not slips:
        return []
    children = policy.own_children_list(user)
    given = {(a.slip_id, a.pupil_id): a for a in SlipAnswer.select().where(
        SlipAnswer.slip.in_([s.id for s in slips])
        & SlipAnswer.pupil.in_([c.id for c in children] or [0]))}
    rows = [ChildRow(slip, child, given.get((slip.id, child.id)), slip.is_open(today))
            for slip in slips for child in children if child.group_id == slip.group_id]
    return sorted(rows, key=lambda r: (not r.todo, not r.open, r.slip.deadline))


def waiting_for(user, today):
    """What the menu's badge counts: the open slips and children of this parent without an
    answer yet, the `todo` rows of `rows_for_parent` (a prepared query: the menu counts it
    together with its other badges, in one statement)."""
    return _waiting_count(*_parent_of(user), today)


def todo_rows(user, today):
    """The `todo` rows of `rows_for_parent` (what the badge counts) in one statement."""
    return child_rows(todo_query(user, today))


def todo_query(user, today, limit=None):
    """The pupils behind `todo_rows`, each with its `.slip`, soonest deadline first, at most
    `limit` (a prepared query: the parent's home page reads it with its other cards, see
    child_rows)."""
    return _todo(*_parent_of(user), today, limit)


def child_rows(pupils):
    """A ChildRow for each pupil of `todo_query`."""
    return [ChildRow(pupil.slip, pupil) for pupil in pupils]


def _parent_of(user):
    """policy.answering_parent; for anyone else (0, []): no account 0, no groups, no rows."""
    return policy.answering_parent(user) or (0, [])


@prepared
def _waiting_count(user_id, group_ids, today):
    return _waiting(user_id, group_ids, today, Pupil.id)


@prepared
def _todo(user_id, group_ids, today, limit):
    return _waiting(user_id, group_ids, today, Pupil, Slip).order_by(
        Slip.deadline, Slip.id, Pupil.first_name, Pupil.id).limit(limit)


def _waiting(user_id, group_ids, today, *columns):
    """Pupils (with `.slip`) of this parent joined with each open slip still unanswered."""
    unanswered = ~fn.EXISTS(SlipAnswer.select(SQL("1")).where(
        (SlipAnswer.slip == Slip.id) & (SlipAnswer.pupil == Pupil.id)))
    return (Pupil.select(*columns).join(Slip, on=(Slip.group == Pupil.group), attr="slip")
            .where(Pupil.id.in_(policy.children_at_school(user_id, today))
                   & Slip.id.in_(policy.slips_of_groups(group_ids).select(Slip.id))
                   & (Slip.deadline >= today) & unanswered))


def shown_value(question, value):
    """An answer as a parent or teacher reads it."""
    if value is None or value == "":
        return ""
    if question.kind == YES_NO:
        return str(_l("Yes")) if value == "yes" else str(_l("No"))
    return value
