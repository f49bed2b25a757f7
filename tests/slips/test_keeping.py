"""Slips are kept for a set time after their deadline, and are in the family's export."""

import json
import zipfile
from datetime import timedelta

from schoolportal.core import retention
from schoolportal.core.clock import school_today
from schoolportal.core.models import User
from schoolportal.family_data import export
from schoolportal.slips import answers, reminders
from schoolportal.slips.models import FormReminder, Slip, SlipAnswer, SlipAnswerHistory
from tests.slips.support import answer_values, make_slip, sem
from tests.support.web import PARENT


def test_a_slip_goes_with_its_answers_a_year_after_its_deadline(db_ctx):
    slip = make_slip()
    answers.submit(slip, sem(), User.by_email(PARENT), answer_values(slip, text="Noten"), 0,
                   school_today())
    reminders.remind_now(slip)
    rule = retention.RULES["slips"]
    assert rule.due(slip.deadline + timedelta(days=365)) == 0
    later = slip.deadline + timedelta(days=366)
    assert rule.due(later) == 1 and rule.purge(later) == 1
    assert Slip.select().count() == SlipAnswer.select().count() == 0
    assert SlipAnswerHistory.select().count() == FormReminder.select().count() == 0


def test_the_family_export_holds_every_version_of_their_childs_answer(db_ctx):
    slip, child, parent = make_slip(), sem(), User.by_email(PARENT)
    answers.submit(slip, child, parent, answer_values(slip, "yes", "Noten"), 0, school_today())
    answers.submit(slip, child, parent, answer_values(slip, "no"), 1, school_today())
    with zipfile.ZipFile(export.build(parent)) as archive:
        data = json.loads(archive.read("slips.json"))
    assert [(a["version"], a["answers"]["Mag je kind mee naar de kinderboerderij?"])
            for a in data["answers"]] == [(1, "Ja"), (2, "Nee")]
    assert data["answers"][0]["answers"]["Allergieën"] == "Noten"
