"""The staff's overview of a slip: per child the answer or "nog niet ingevuld", counts, CSV."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC

from flask_babel import gettext as _
from peewee import fn

from schoolportal.core.clock import school_zone
from schoolportal.core.models import Group, Pupil
from schoolportal.slips.answers import current_answers, questions_of, shown_value
from schoolportal.slips.models import Slip, SlipAnswer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass
class OverviewRow:
    """One child of the group: the answer (or None) and the values per question."""

    pupil: object
    answer: object
    cells: list


def pupils_of(slip):
    """The children of the slip's group who are at school, in name order."""
    return list(Pupil.select().where((Pupil.group == slip.group_id) & Pupil.at_school())
                .order_by(Pupil.first_name, Pupil.last_name, Pupil.id))


def rows(slip, questions=None):
    """Every child of the group with their answer, in name order (three queries)."""
    questions = questions if questions is not None else questions_of(slip)
    pupils = pupils_of(slip)
    given = current_answers(slip, pupils)
    result = []
    for pupil in pupils:
        answer = given.get(pupil.id)
        values = answer.given if answer else {}
        result.append(OverviewRow(pupil, answer, [shown_value(q, values.get(str(q.id)))
                                                  for q in questions]))
    return result


def with_counts(slips):
    """A query of slips with `answered` and `children` columns (the children at school in the
    slip's group, and how many of them have an answer): the counts in the same statement."""
    answered = (SlipAnswer.select(fn.COUNT(SlipAnswer.id))
                .join(Pupil, on=(SlipAnswer.pupil == Pupil.id))
                .where((SlipAnswer.slip == Slip.id) & (Pupil.group == Slip.group)
                       & Pupil.at_school()))
    children = Pupil.select(fn.COUNT(Pupil.id)).where((Pupil.group == Slip.group)
                                                       & Pupil.at_school())
    return slips.select_extend(answered.alias("answered"), children.alias("children"))


def counts(slips):
    """{slip id: (answered, children)} for these slips, in two queries."""
    slips = list(slips)
    if not slips:
        return {}
    answered = dict(SlipAnswer.select(SlipAnswer.slip, fn.COUNT(SlipAnswer.id))
                    .join(Pupil, on=(SlipAnswer.pupil == Pupil.id))
                    .switch(SlipAnswer).join(Slip, on=(SlipAnswer.slip == Slip.id))
                    .where(SlipAnswer.slip.in_([s.id for s in slips])
                           & (Pupil.group == Slip.group) & Pupil.at_school())
                    .group_by(SlipAnswer.slip).tuples())
    sizes = Pupil.count_by_group([Group(id=s.group_id) for s in slips])
    return {s.id: (answered.get(s.id, 0), sizes.get(s.group_id, 0)) for s in slips}


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text and never runs as a formula."""
    value = str(value if value is not None else "")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(slip):
    """The overview as CSV (semicolons, as Dutch spreadsheets expect), formula-safe."""
    questions = questions_of(slip)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([csv_cell(h) for h in [_("Child"), _("Answered by"), _("Answered at"),
                                           *[q.text for q in questions]]])
    for row in rows(slip, questions):
        who = row.answer.answered_by.display_name if row.answer and row.answer.answered_by_id \
            else ("" if row.answer else _("not filled in yet"))
        when = (row.answer.answered_at.replace(tzinfo=UTC).astimezone(school_zone())
                .strftime("%Y-%m-%d %H:%M") if row.answer else "")
        writer.writerow([csv_cell(v) for v in [row.pupil.full_name, who, when, *row.cells]])
    return out.getvalue()
