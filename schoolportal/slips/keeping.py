"""How long slips are kept, and what a family's export holds of them.

Answers may hold health details (allergies): a slip goes, with its answers, history and
reminder log, the set number of days after its deadline.
"""

from datetime import timedelta

from peewee import JOIN

from schoolportal.core import retention
from schoolportal.core.database import write_transaction
from schoolportal.core.models import User
from schoolportal.slips.answers import questions_of, shown_value
from schoolportal.slips.models import FormReminder, ReadConfirmation, Slip, SlipAnswerHistory


def purge_before(today):
    """The last deadline whose slips are due to go."""
    return today - timedelta(days=retention.setting_of("slips")[1])


def old_slips(today):
    """Slips whose deadline lies beyond the retention period."""
    return Slip.select().where(Slip.deadline < purge_before(today))


def purge(today):
    """Delete old slips (answers and history cascade) and their reminder log; how many."""
    with write_transaction():
        ids = [s.id for s in old_slips(today)]
        if not ids:
            return 0
        FormReminder.delete().where(FormReminder.subject.in_(
            [f"slip:{i}" for i in ids])).execute()
        return Slip.delete().where(Slip.id.in_(ids)).execute()


def for_family(account, child_ids):
    """The family's export: every version of their children's answers, and confirmations."""
    versions = (SlipAnswerHistory.select(SlipAnswerHistory, Slip, User)
                .join(Slip).switch(SlipAnswerHistory)
                .join(User, JOIN.LEFT_OUTER, on=SlipAnswerHistory.answered_by)
                .where(SlipAnswerHistory.pupil.in_(child_ids or [0]))
                .order_by(Slip.id, SlipAnswerHistory.pupil, SlipAnswerHistory.version))
    questions = {}
    rows = []
    for version in versions:
        if version.slip_id not in questions:
            questions[version.slip_id] = questions_of(version.slip)
        given = version.given
        rows.append({
            "form": version.slip.title, "child_id": version.pupil_id,
            "version": version.version, "answered_at": version.answered_at,
            "answered_by": version.answered_by.display_name if version.answered_by_id else "",
            "answers": {q.text: shown_value(q, given.get(str(q.id)))
                        for q in questions[version.slip_id] if str(q.id) in given}})
    confirmations = ReadConfirmation.select().where(ReadConfirmation.account == account)
    return {"answers": rows,
            "read_confirmations": [{"post_id": c.post_id, "confirmed_at": c.confirmed_at}
                                   for c in confirmations]}
