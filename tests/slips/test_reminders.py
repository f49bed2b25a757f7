"""Reminders with a controlled clock: each rule once, from eight in the morning, never after
the deadline, never to guardians whose child has an answer, through the chosen channel."""

from datetime import date, timedelta

import time_machine

from schoolportal.core import worker
from schoolportal.core.models import OutboxMail, User
from schoolportal.notifications import choices
from schoolportal.slips import answers, reminders
from schoolportal.slips.models import FormReminder
from tests.slips.support import answer_values, local, make_slip, second_guardian, sem
from tests.support.web import PARENT, TWO_GROUP_PARENT

DEADLINE = date(2027, 3, 12)  # a Friday


def _mailed():
    """The addresses that got a slip reminder mail so far, with repeats."""
    return sorted(m.to_email for m in OutboxMail.select().where(
        OutboxMail.template == "slips/reminder"))


def _round(*moment):
    """One worker round's slip reminders at that moment (school time)."""
    with time_machine.travel(local(*moment), tick=False):
        return worker.ROUND_JOBS["slip_reminders"]()


def test_each_rule_sends_once_never_after_the_deadline_never_to_who_answered(db_ctx):
    with time_machine.travel(local(2027, 3, 1, 12, 0), tick=False):
        slip = make_slip(deadline=DEADLINE, remind=2)
        child = sem()
        father = second_guardian(child)
        missing = reminders.missing_guardians(slip)
    everyone = {parent.email for parent in missing}
    assert {PARENT, TWO_GROUP_PARENT, father.email} <= everyone

    assert _round(2027, 3, 9, 12, 0) == 0  # three days before: nothing yet
    assert _round(2027, 3, 10, 7, 59) == 0  # the "before" day, but before eight
    assert _round(2027, 3, 10, 8, 0) == len(everyone)  # two days before, at eight
    assert _mailed() == sorted(everyone)
    assert _round(2027, 3, 10, 15, 0) == 0  # the rule went already
    assert _round(2027, 3, 11, 9, 0) == 0  # the day before: still the same rule

    # Sem's mother answers: neither she nor Sem's father hear about it again.
    with time_machine.travel(local(2027, 3, 11, 20, 0), tick=False):
        answers.submit(slip, child, User.by_email(PARENT), answer_values(slip), 0,
                       DEADLINE - timedelta(days=1))
    assert _round(2027, 3, 12, 8, 30) == len(everyone) - 2  # the deadline's morning
    assert _round(2027, 3, 12, 17, 0) == 0
    mails = _mailed()
    assert mails.count(PARENT) == 1 and mails.count(father.email) == 1
    assert mails.count(TWO_GROUP_PARENT) == 2

    assert _round(2027, 3, 13, 8, 0) == 0  # after the deadline: nothing, ever
    assert _round(2027, 3, 20, 9, 0) == 0
    with time_machine.travel(local(2027, 3, 13, 9, 0), tick=False):
        assert reminders.remind_now(slip) == 0
    rules = {row.rule for row in FormReminder.select()}
    assert rules == {"before", "morning"}


def test_without_days_before_only_the_morning_reminds(db_ctx):
    with time_machine.travel(local(2027, 3, 1, 12, 0), tick=False):
        make_slip(deadline=DEADLINE, remind=0)
    assert _round(2027, 3, 10, 9, 0) == 0
    assert _round(2027, 3, 11, 9, 0) == 0
    assert _round(2027, 3, 12, 9, 0) > 0
    assert {row.rule for row in FormReminder.select()} == {"morning"}


def test_the_teachers_button_reminds_once_a_day(db_ctx):
    with time_machine.travel(local(2027, 3, 1, 12, 0), tick=False):
        slip = make_slip(deadline=DEADLINE)
        told = reminders.remind_now(slip)
        assert told > 0
        assert reminders.remind_now(slip) == 0  # a second click the same day
    with time_machine.travel(local(2027, 3, 2, 12, 0), tick=False):
        assert reminders.remind_now(slip) == told
    assert _mailed().count(PARENT) == 2


def test_reminders_follow_the_channel_each_parent_chose(db_ctx):
    jansen = User.by_email(PARENT)
    choices.save(jansen, {"surveys": choices.OFF}, None)
    with time_machine.travel(local(2027, 3, 1, 12, 0), tick=False):
        slip = make_slip(deadline=DEADLINE)
        reminders.remind_now(slip)
    assert PARENT not in _mailed()  # chose "off": the home page shows the slip instead
    assert TWO_GROUP_PARENT in _mailed()
    # Jansen was still handled by the rule: a later round does not try again.
    assert FormReminder.select().where(FormReminder.account == jansen.id).count() == 1
