"""Answering a survey: for whom a parent answers, checking the answers, storing them, reminders.

Who answers once is a *unit*: "account:<id>" when the survey wants one answer per family
(each parent's account answers once, whatever the number of children), "pupil:<id>" when
it wants one per child (either parent answers, and may change the other's answer).

Named answers are stored with their unit. Anonymous answers are stored without anything
that points at a person: `SurveyRespondent` records that the unit answered (so nobody
answers twice, and the reminder skips them), and the answers go in a response that holds
only the hash of a random key. The key is returned once, for the browser's cookie: with
it, and only with it, the parent can change the answer until the deadline. Without it
(another browser, cookies cleared, the other parent of a child) the answer stays as it is.
"""

import hashlib
import operator
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce

from flask_babel import lazy_gettext as _l
from peewee import SQL, IntegrityError, fn

from schoolportal import authz
from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import ROLE_PARENT, Guardianship, Pupil, School, User, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.notifications import choices
from schoolportal.notifications import service as notifications
from schoolportal.surveys import policy
from schoolportal.surveys.models import (
    MULTIPLE,
    NUMBER,
    PER_CHILD,
    SINGLE,
    YES_NO,
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyOption,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
)

TEXT_MAX = 1000
NUMBER_LIMIT = 1_000_000
REMIND_BEFORE = timedelta(days=2)
CLOSED_SHOWN = timedelta(days=60)  # closed surveys stay in the lists this long
FIELD = re.compile(r"^q(\d+)$")


class AnswerError(Exception):
    """The answers cannot be stored; `message` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Unit:
    """What answers once: a parent's account, or one child (then `pupil` is set)."""

    key: str
    pupil: object = None


def units_by_survey(user, surveys):
    """Per survey id: (the units this parent answers for, the keys of those answered); 3 queries.

    A parent answers for their children at school whom the survey is for: once for the
    family, or once per child.
    """
    ids = [survey.id for survey in surveys]
    if not ids:
        return {}
    children = authz.visible_pupil_list(user) if user.role == ROLE_PARENT else ()
    audience = {}
    for survey_id, group_id in SurveyGroup.select(SurveyGroup.survey, SurveyGroup.group).where(
            SurveyGroup.survey.in_(ids)).tuples():
        audience.setdefault(survey_id, set()).add(group_id)
    keys = [f"account:{user.id}"] + [f"pupil:{child.id}" for child in children]
    answered = set(SurveyRespondent.select(SurveyRespondent.survey, SurveyRespondent.unit).where(
        SurveyRespondent.survey.in_(ids) & SurveyRespondent.unit.in_(keys)).tuples())
    result = {}
    for survey in surveys:
        addressed = [c for c in children
                     if survey.school_wide or c.group_id in audience.get(survey.id, ())]
        if not addressed:
            units = []
        elif survey.per == PER_CHILD:
            units = [Unit(f"pupil:{child.id}", child) for child in addressed]
        else:
            units = [Unit(f"account:{user.id}")]
        result[survey.id] = (units, {u.key for u in units if (survey.id, u.key) in answered})
    return result


def units_for(user, survey):
    """(units, answered keys) of this parent for one survey."""
    return units_by_survey(user, [survey])[survey.id]


@dataclass
class SurveyRow:
    """A survey in a list: "todo", "answered" or "closed" for parents; "draft", "open" or
    "closed" with the number of answers for staff."""

    survey: object
    state: str
    answers: int = 0


def rows_for_parent(user, now=None):
    """The surveys for this parent: still to answer first, then answered, then closed."""
    now = now or utcnow()
    surveys = list(policy.answerable_surveys(user).where(Survey.closes_at > now - CLOSED_SHOWN)
                   .order_by(Survey.closes_at, Survey.id))
    status = units_by_survey(user, surveys)
    rows = []
    for survey in surveys:
        units, done = status[survey.id]
        if not units:
            continue  # for the school, but this parent has no child at school
        if not survey.is_open(now):
            rows.append(SurveyRow(survey, "closed"))
        else:
            rows.append(SurveyRow(survey, "answered" if len(done) == len(units) else "todo"))
    order = {"todo": 0, "answered": 1, "closed": 2}
    return sorted(rows, key=lambda row: order[row.state])


def todo_rows(user, now=None):
    """The "todo" rows of `rows_for_parent`, soonest closing first, in one statement."""
    return todo_of(todo_query(user, now))


def todo_query(user, now=None, limit=None):
    """The surveys behind `todo_rows`, at most `limit` (a prepared query, for the home page to
    read with its other cards; todo_of makes the rows of it)."""
    return _todo(*_waiting_arguments(user, now), limit)


def todo_of(surveys):
    """A "todo" SurveyRow for each survey of todo_query."""
    return [SurveyRow(survey, "todo") for survey in surveys]


def todo_count(user, now=None):
    """How many open surveys wait for this parent's answer, in one query: the menu's badge."""
    return waiting_surveys(user, now).count()


def waiting_surveys(user, now=None):
    """The open surveys waiting for this parent's answer (a prepared query; the menu counts
    it).

    The same rule as the "todo" rows of `rows_for_parent` (a survey waits while one of its
    units, the family or a child it is for, has not answered), without loading the surveys.
    """
    return _waiting_ids(*_waiting_arguments(user, now))


def _waiting_arguments(user, now):
    """What `_waiting` needs of a parent: their unit, the time, their groups and per child at
    school its group and unit (no children: nothing waits)."""
    groups = policy.answering_groups(user)
    children = authz.visible_pupil_list(user) if groups is not None else ()
    per_child = [value for child in children for value in (child.group_id, f"pupil:{child.id}")]
    return (f"account:{user.id}", now or utcnow(), groups if children else [], *per_child)


@prepared
def _waiting_ids(family_unit, now, group_ids, *per_child):
    return _waiting(family_unit, now, group_ids, per_child)


@prepared
def _todo(family_unit, now, group_ids, *per_child_and_limit):
    *per_child, limit = per_child_and_limit
    return Survey.select().where(
        Survey.id.in_(_waiting(family_unit, now, group_ids, per_child))).order_by(
        Survey.closes_at, Survey.id).limit(limit)


def _waiting(family_unit, now, group_ids, per_child):
    """The ids of the open surveys of these groups waiting for the family's or a child's
    answer; `per_child` is (group id, unit) of each child, flattened."""
    if not per_child:
        return authz.nothing(Survey.select(Survey.id))

    def unanswered(unit):
        return ~fn.EXISTS(SurveyRespondent.select(SQL("1")).where(
            (SurveyRespondent.survey == Survey.id) & (SurveyRespondent.unit == unit)))

    family_waits = (Survey.per != PER_CHILD) & unanswered(family_unit)
    waiting = []
    for group_id, unit in zip(per_child[::2], per_child[1::2], strict=True):
        addressed = Survey.school_wide | Survey.id.in_(
            SurveyGroup.select(SurveyGroup.survey).where(SurveyGroup.group == group_id))
        child_waits = (Survey.per == PER_CHILD) & unanswered(unit)
        waiting.append(addressed & (child_waits | family_waits))
    return (policy.surveys_of_groups(group_ids).select(Survey.id)
            .where(Survey.open_filter(now) & reduce(operator.or_, waiting)))


def questions_of(survey):
    """The survey's questions in order, each with `choices` (its options), in two queries."""
    questions = list(SurveyQuestion.select().where(SurveyQuestion.survey == survey.id)
                     .order_by(SurveyQuestion.position, SurveyQuestion.id))
    by_id = {q.id: q for q in questions}
    for question in questions:
        question.choices = []
    if by_id:
        options = SurveyOption.select().where(SurveyOption.question.in_(list(by_id))).order_by(
            SurveyOption.position, SurveyOption.id)
        for option in options:
            by_id[option.question_id].choices.append(option)
    return questions


def parse(questions, formdata):
    """Check posted answers (fields q<id>); returns (values, errors) keyed by question id.

    Answers to questions that are not this survey's refuse the whole form: it was made
    for another survey, or tampered with.
    """
    known = {q.id for q in questions}
    for name in formdata:
        match = FIELD.match(name)
        if match and int(match.group(1)) not in known:
            raise AnswerError(_l("These answers do not belong to this survey. "
                                 "Reload the page and answer again."))
    values, errors = {}, {}
    for question in questions:
        raw = [v.strip() for v in formdata.getlist(f"q{question.id}") if v.strip()]
        try:
            value = _value(question, raw)
        except AnswerError as error:
            errors[question.id] = error.message
            continue
        if value is None and question.required:
            errors[question.id] = (_l("Choose at least one option.") if question.kind == MULTIPLE
                                   else _l("Answer this question."))
        elif value is not None:
            values[question.id] = value
    return values, errors


def _value(question, raw):
    """One question's answer from its posted strings, or None when it was left open."""
    if not raw:
        return None
    if question.kind in (SINGLE, MULTIPLE):
        allowed = {str(option.id): option.id for option in question.choices}
        if any(v not in allowed for v in raw) or (question.kind == SINGLE and len(raw) > 1):
            raise AnswerError(_l("Choose one of the options."))
        return sorted({allowed[v] for v in raw})
    if len(raw) > 1:
        raise AnswerError(_l("Give one answer."))
    text = raw[0]
    if question.kind == YES_NO:
        if text not in ("yes", "no"):
            raise AnswerError(_l("Choose yes or no."))
        return text == "yes"
    if question.kind == NUMBER:
        if not re.fullmatch(r"-?\d{1,7}", text) or abs(int(text)) > NUMBER_LIMIT:
            raise AnswerError(_l("Fill in a whole number from -%(limit)d to %(limit)d.",
                                 limit=NUMBER_LIMIT))
        return int(text)
    if len(text) > TEXT_MAX:
        raise AnswerError(_l("Use at most %(max)d characters.", max=TEXT_MAX))
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise AnswerError(_l("This field contains characters that are not allowed."))
    return text


def _hash(key):
    """The stored form of an anonymous answer key."""
    return hashlib.sha256(key.encode()).hexdigest()


def submit(survey, user, unit, values, answer_key=None):
    """Store (or replace) a unit's answers; returns a new answer key for a first anonymous one."""
    with write_transaction():
        now = utcnow()
        if not Survey.get_by_id(survey.id).is_open(now):  # read again: it may just have closed
            raise AnswerError(_l("This survey is closed: answers can no longer be given or "
                                 "changed."))
        if survey.anonymous:
            return _store_anonymous(survey, user, unit, values, answer_key)
        _store_named(survey, user, unit, values, now)
        return None


def _store_anonymous(survey, user, unit, values, answer_key):
    """Replace the answers the key opens, or record a first answer without a name."""
    if answer_key:
        opens = SurveyResponse.answer_key_hash == _hash(answer_key)
        response = SurveyResponse.get_or_none((SurveyResponse.survey == survey.id) & opens)
        if response is not None:
            _replace_answers(response, values)
            return None
    try:
        with db.atomic():
            SurveyRespondent.create(survey=survey.id, unit=unit.key, account=user.id,
                                    pupil=unit.pupil.id if unit.pupil else None)
    except IntegrityError:
        message = _l("This has been answered already. The survey is anonymous, so an answer can "
                     "only be changed in the browser it was given in.")
        raise AnswerError(message) from None
    key = secrets.token_urlsafe(24)
    response = SurveyResponse.create(survey=survey.id, answer_key_hash=_hash(key))
    _replace_answers(response, values)
    return key


def _store_named(survey, user, unit, values, now):
    """Record that the unit answered, then write its one response (made or replaced)."""
    pupil = unit.pupil.id if unit.pupil else None
    SurveyRespondent.insert(survey=survey.id, unit=unit.key, account=user.id,
                            pupil=pupil).on_conflict_ignore().execute()
    match = (SurveyResponse.survey == survey.id) & (SurveyResponse.unit == unit.key)
    response = SurveyResponse.get_or_none(match)
    if response is None:
        try:
            with db.atomic():
                response = SurveyResponse.create(survey=survey.id, unit=unit.key, account=user.id,
                                                 pupil=pupil, updated_at=now)
        except IntegrityError:  # the other parent answered for this child at the same moment
            response = SurveyResponse.get(match)
    SurveyResponse.update(account=user.id, updated_at=now).where(
        SurveyResponse.id == response.id).execute()
    _replace_answers(response, values)


def _replace_answers(response, values):
    """Swap the response's answers for these values, in two statements."""
    SurveyAnswer.delete().where(SurveyAnswer.response == response.id).execute()
    rows = []
    for question_id, value in values.items():
        # Every row names every column: insert_many takes its columns from the first row.
        row = {"response": response.id, "question": question_id, "option": None, "yes": None,
               "number": None, "text": None}
        if isinstance(value, list):
            rows += [{**row, "option": option_id} for option_id in value]
        elif isinstance(value, bool):
            rows.append({**row, "yes": value})
        elif isinstance(value, int):
            rows.append({**row, "number": value})
        else:
            rows.append({**row, "text": value})
    if rows:
        SurveyAnswer.insert_many(rows).execute()


def given_answers(survey, unit, answer_key=None):
    """The stored answers of a unit (named) or of a key (anonymous), keyed by question id."""
    if survey.anonymous:
        if not answer_key:
            return {}
        match = SurveyResponse.answer_key_hash == _hash(answer_key)
    else:
        match = SurveyResponse.unit == unit.key
    rows = (SurveyAnswer.select().join(SurveyResponse)
            .where((SurveyResponse.survey == survey.id) & match))
    values = {}
    for row in rows:
        if row.option_id is not None:
            values.setdefault(row.question_id, []).append(row.option_id)
        else:
            values[row.question_id] = next(
                v for v in (row.yes, row.number, row.text) if v is not None)
    return values


# --- Reminders ------------------------------------------------------------------------------

def audience_pupils(survey):
    """The pupils at school a survey is for."""
    pupils = Pupil.select().where(Pupil.at_school())
    if not survey.school_wide:
        pupils = pupils.where(Pupil.group.in_(
            SurveyGroup.select(SurveyGroup.group).where(SurveyGroup.survey == survey.id)))
    return pupils


def missing_parents(survey):
    """Parents who still have to answer and want to hear: [(parent, [children])], two queries."""
    answered = {unit for (unit,) in SurveyRespondent.select(SurveyRespondent.unit).where(
        SurveyRespondent.survey == survey.id).tuples()}
    links = (Guardianship.select(Guardianship, User, Pupil).join(User)
             .switch(Guardianship).join(Pupil)
             .where(Guardianship.pupil.in_(audience_pupils(survey).select(Pupil.id))
                    & (User.active == True) & User.password_hash.is_null(False)  # noqa: E712
                    & ~choices.users_choosing("surveys", choices.OFF))
             .order_by(User.id, Pupil.first_name))
    missing = {}
    for link in links:
        unit = (f"pupil:{link.pupil.id}" if survey.per == PER_CHILD
                else f"account:{link.guardian.id}")
        if unit not in answered:
            missing.setdefault(link.guardian.id, (link.guardian, []))[1].append(link.pupil)
    return list(missing.values())


def remind_non_respondents(now=None):
    """Once per survey, two days before it closes: mail the parents who have not answered.

    Parents are told through the channel they chose for surveys; those who chose "off" get
    nothing (the home page shows them the survey).
    """
    now = now or utcnow()
    due = list(Survey.select().where(Survey.open_filter(now) & Survey.reminded_at.is_null()
                                     & (Survey.closes_at <= now + REMIND_BEFORE)))
    school, reminded = School.current(), 0
    for survey in due:
        with write_transaction():
            claimed = Survey.update(reminded_at=now).where(
                (Survey.id == survey.id) & Survey.reminded_at.is_null()).execute()
            if not claimed:
                continue  # another worker took it
            reminded += _remind(survey, missing_parents(survey), school)
    return reminded


def _remind(survey, missing, school):
    """Tell the parents who have not answered; returns how many were told."""
    children_of = {parent.id: children for parent, children in missing}
    subject = _l("Reminder: %(title)s", title=survey.title)
    told = notifications.notify(
        [parent for parent, _children in missing], "surveys", title=subject,
        url=notifications.link("surveys.show", survey_id=survey.id),
        mail=lambda parent: outbox.send(
            parent, "surveys/reminder", subject, survey=survey, children=children_of[parent.id],
            school=school, per_child=survey.per == PER_CHILD,
            link=outbox.absolute_url("surveys.show", survey_id=survey.id)))
    return len(told["push"]) + len(told["mail"]) + len(told["digest"])
