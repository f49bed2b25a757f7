"""The yearly consent reminder: once a year many schools ask parents to check their choices.

The Dutch data-protection authority does not require asking again every year, so the
office sends it when it chooses (at most once a day: a second press the same day sends
nothing, guarded by the JobRun row's unique key).
"""

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_PARENT, Guardianship, JobRun, Pupil, School, User

JOB_NAME = "consent_reminder"


def parents_to_remind(today):
    """Activated, active parents with a child at school (each once)."""
    children = Pupil.select(Pupil.id).where(Pupil.at_school(today))
    guardians = Guardianship.select(Guardianship.guardian).where(
        Guardianship.pupil.in_(children))
    return (User.select().where(
        (User.role == ROLE_PARENT) & (User.active == True)  # noqa: E712
        & User.password_hash.is_null(False) & User.id.in_(guardians))
        .order_by(User.id))


def last_sent():
    """The day the reminder was last sent, or None."""
    row = (JobRun.select(JobRun.day).where(JobRun.name == JOB_NAME)
           .order_by(JobRun.day.desc()).first())
    return row.day if row else None


def remind_parents(today):
    """Queue the reminder for every parent to remind; None when it went out today already."""
    try:
        with write_transaction():
            JobRun.create(name=JOB_NAME, day=today)
            return outbox.send_many(
                list(parents_to_remind(today)), "consent/reminder",
                _l("Please check your photo consent choices"), school=School.current(),
                link=outbox.absolute_url("consent.index"))
    except IntegrityError:
        return None
