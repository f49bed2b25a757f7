"""Survey results: counts and percentages, the named list, CSV, and mailing a selection.

Every figure comes from a few grouped queries, whatever the number of answers. Anonymous
surveys have no named list and their CSV has no names; "select everyone who answered
yes" exists only for named surveys.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from peewee import JOIN, fn

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, Guardianship, Pupil, School, User, utcnow
from schoolportal.surveys import policy
from schoolportal.surveys.answers import CLOSED_SHOWN, SurveyRow, audience_pupils
from schoolportal.surveys.models import (
    MULTIPLE,
    NUMBER,
    PER_CHILD,
    SINGLE,
    TEXT,
    YES_NO,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)

SCHOOL_ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass
class Bar:
    """One option's share: label, count and percentage of those who answered the question."""

    label: str
    count: int
    percent: int
    choice: str = ""  # "yes", "no" or an option id: what "select these people" selects


@dataclass
class QuestionResult:
    """What the answers to one question add up to."""

    question: object
    answered: int = 0
    bars: list = field(default_factory=list)
    numbers: dict = None  # count, total, average, lowest, highest
    texts: list = field(default_factory=list)


def rows_for_staff(user, now=None):
    """The surveys this user manages (drafts, open, recently closed) with their answer counts."""
    now = now or utcnow()
    return staff_rows(staff_query(user, now), now)


def staff_query(user, now):
    """The surveys behind `rows_for_staff`, with `answered` (a query, for the home page to
    read with its other cards; staff_rows makes the rows of it)."""
    answered = (SurveyResponse.select(fn.COUNT(SurveyResponse.id))
                .where(SurveyResponse.survey == Survey.id))  # read with the surveys
    return (policy.manageable_surveys(user).select_extend(answered.alias("answered"))
            .where(Survey.published_at.is_null() | (Survey.closes_at > now - CLOSED_SHOWN))
            .order_by(Survey.created_at.desc(), Survey.id.desc()))


def staff_rows(surveys, now):
    """A SurveyRow (draft, open or closed, with its answers) for each survey of staff_query."""
    return [SurveyRow(s, "draft" if not s.is_published else "open" if s.is_open(now) else "closed",
                      s.answered or 0) for s in surveys]


def _bar(label, count, answered, choice):
    """A bar with its whole percentage of those who answered (0 when nobody did)."""
    return Bar(label, count, round(100 * count / answered) if answered else 0, choice)


def tally(survey, questions):
    """(number of responses, [QuestionResult]) in four grouped queries."""
    of_survey = SurveyResponse.survey == survey.id
    total = SurveyResponse.select().where(of_survey).count()
    base = SurveyAnswer.select().join(SurveyResponse).where(of_survey)
    answered = dict(base.select(SurveyAnswer.question, fn.COUNT(SurveyAnswer.response.distinct()))
                    .group_by(SurveyAnswer.question).tuples())
    counts = {}
    for question_id, option_id, yes, count in (
            base.select(SurveyAnswer.question, SurveyAnswer.option, SurveyAnswer.yes,
                        fn.COUNT(SurveyAnswer.id))
            .where(SurveyAnswer.option.is_null(False) | SurveyAnswer.yes.is_null(False))
            .group_by(SurveyAnswer.question, SurveyAnswer.option, SurveyAnswer.yes).tuples()):
        # Keys apart for options and yes/no: True == 1 would mix "yes" with option 1.
        key = ("option", option_id) if option_id is not None else ("yes", bool(yes))
        counts[(question_id, *key)] = count
    numbers = {row[0]: dict(zip(("count", "total", "average", "lowest", "highest"), row[1:],
                                strict=True))
               for row in base.select(SurveyAnswer.question, fn.COUNT(SurveyAnswer.number),
                                      fn.SUM(SurveyAnswer.number), fn.AVG(SurveyAnswer.number),
                                      fn.MIN(SurveyAnswer.number), fn.MAX(SurveyAnswer.number))
               .where(SurveyAnswer.number.is_null(False)).group_by(SurveyAnswer.question).tuples()}
    texts = {}
    for question_id, text in (base.select(SurveyAnswer.question, SurveyAnswer.text)
                              .where(SurveyAnswer.text.is_null(False))
                              .order_by(SurveyAnswer.id).tuples()):
        texts.setdefault(question_id, []).append(text)
    results = []
    for question in questions:
        result = QuestionResult(question, answered.get(question.id, 0))
        if question.kind in (SINGLE, MULTIPLE):
            result.bars = [_bar(o.label, counts.get((question.id, "option", o.id), 0),
                                result.answered, str(o.id)) for o in question.choices]
        elif question.kind == YES_NO:
            result.bars = [_bar(label, counts.get((question.id, "yes", key), 0),
                                result.answered, choice)
                           for label, key, choice in (
                               (_("Yes"), True, "yes"), (_("No"), False, "no"))]
        elif question.kind == NUMBER:
            result.numbers = numbers.get(question.id)
        elif question.kind == TEXT:
            result.texts = texts.get(question.id, [])
        results.append(result)
    return total, results


def audience_size(survey):
    """How many units should answer: children at school, or the parents with an account."""
    pupils = audience_pupils(survey)
    if survey.per == PER_CHILD:
        return pupils.count()
    return (Guardianship.select(fn.COUNT(Guardianship.guardian.distinct())).join(User)
            .where(Guardianship.pupil.in_(pupils.select(Pupil.id)) & (User.active == True)  # noqa: E712
                   & User.password_hash.is_null(False)).scalar()) or 0


def _formatted(question, answers):
    """One question's answer of one response as text."""
    if question.kind in (SINGLE, MULTIPLE):
        chosen = {a.option_id for a in answers}
        return ", ".join(o.label for o in question.choices if o.id in chosen)
    if not answers:
        return ""
    answer = answers[0]
    if question.kind == YES_NO:
        return _("Yes") if answer.yes else _("No")
    return str(answer.number if question.kind == NUMBER else answer.text)


def named_rows(survey, questions):
    """Who answered what (named surveys): [(response, [answer text per question])], 2 queries."""
    if survey.anonymous:
        return None
    responses = list(
        SurveyResponse.select(SurveyResponse, User, Pupil, Group)
        .join(User, on=SurveyResponse.account == User.id, join_type=JOIN.LEFT_OUTER)
        .switch(SurveyResponse).join(Pupil, on=SurveyResponse.pupil == Pupil.id,
                                     join_type=JOIN.LEFT_OUTER)
        .join(Group, join_type=JOIN.LEFT_OUTER)
        .where(SurveyResponse.survey == survey.id)
        .order_by(User.display_name, Pupil.first_name))
    answers = {}
    for answer in SurveyAnswer.select().join(SurveyResponse).where(
            SurveyResponse.survey == survey.id):
        answers.setdefault((answer.response_id, answer.question_id), []).append(answer)
    return [(response, [_formatted(q, answers.get((response.id, q.id), [])) for q in questions])
            for response in responses]


def anonymous_rows(survey, questions):
    """The answers of an anonymous survey, one list per response, without any name."""
    answers = {}
    for answer in SurveyAnswer.select().join(SurveyResponse).where(
            SurveyResponse.survey == survey.id).order_by(SurveyResponse.id):
        answers.setdefault(answer.response_id, {}).setdefault(answer.question_id, []).append(answer)
    return [[_formatted(q, by_question.get(q.id, [])) for q in questions]
            for by_question in answers.values()]


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(survey, questions):
    """The answers as CSV (semicolons, as Dutch spreadsheets expect); names only if named."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    heads = [q.text for q in questions]
    if survey.anonymous:
        writer.writerow([_cell(h) for h in heads])
        for row in anonymous_rows(survey, questions):
            writer.writerow([_cell(v) for v in row])
        return out.getvalue()
    writer.writerow([_cell(h) for h in [_("Parent/guardian"), _("Child"), _("Group"),
                                        _("Answered at"), *heads]])
    for response, row in named_rows(survey, questions):
        child = response.pupil.full_name if response.pupil_id else ""
        group = response.pupil.group.name if response.pupil_id else ""
        who = response.account.display_name if response.account_id else ""
        when = _local(response.updated_at).strftime("%Y-%m-%d %H:%M") if response.updated_at else ""
        writer.writerow([_cell(v) for v in [who, child, group, when, *row]])
    return out.getvalue()


def _local(moment):
    """A stored UTC time in the school's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(SCHOOL_ZONE)


def selected_parents(survey, question, choice):
    """The parents of the responses that gave this answer (named surveys), in two queries.

    Per family: the parent who answered. Per child: every active parent of that child.
    """
    if survey.anonymous:
        return []
    match = SurveyAnswer.question == question.id
    if choice in ("yes", "no"):
        match &= SurveyAnswer.yes == (choice == "yes")
    else:
        match &= SurveyAnswer.option == int(choice)
    chosen = (SurveyResponse.select(SurveyResponse.account, SurveyResponse.pupil)
              .join(SurveyAnswer).where((SurveyResponse.survey == survey.id) & match))
    if survey.per == PER_CHILD:
        guardians = Guardianship.select(Guardianship.guardian).where(
            Guardianship.pupil.in_(chosen.select(SurveyResponse.pupil)))
        ids = User.id.in_(guardians)
    else:
        ids = User.id.in_(chosen.select(SurveyResponse.account))
    usable = (User.active == True) & User.password_hash.is_null(False)  # noqa: E712
    return list(User.select().where(ids & usable).order_by(User.display_name))


def send_message(survey, parents, subject, body, sender):
    """Mail a message from staff to the selected parents, through the outbox, in one go.

    These go out whatever the parents' notification choice: staff picked them on purpose,
    and the mail is the message itself, not a notice of something in the portal.
    """
    school = School.current()
    with write_transaction():
        for parent in parents:
            outbox.send(parent, "surveys/message", subject, survey=survey, body=body,
                        sender=sender, school=school,
                        link=outbox.absolute_url("surveys.show", survey_id=survey.id))
    return len(parents)
