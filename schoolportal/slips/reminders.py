"""Reminders to the guardians of children without an answer, and to parents who did not
confirm reading a post.

Rules for a slip (each reminds each guardian at most once, held by the unique sent-log
`FormReminder`): "before" on a day from `remind_days_before` days before the deadline up to
the day before it, and "morning" on the deadline day itself, both from REMIND_FROM school
time. The teacher's button is the rule "manual:<day>" (once a day, so a double click does
not remind twice). Nothing goes after the deadline, nor to a guardian whose child (or
children) in the group have been answered for. Reminders go through the notifications
area: the channel each parent chose for surveys and forms (push, mail, summary, off).
"""

from datetime import time, timedelta

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from schoolportal.core import outbox
from schoolportal.core.clock import school_now, school_today
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    ROLE_PARENT,
    Guardianship,
    Pupil,
    School,
    User,
)
from schoolportal.notifications import service as notifications
from schoolportal.slips.models import FormReminder, ReadConfirmation, Slip, SlipAnswer

REMIND_FROM = time(8, 0)  # not in the night: reminders start at eight, school time
KIND = "surveys"  # the parents' notification choice for surveys and forms
BEFORE, MORNING = "before", "morning"


def due_rule(slip, today):
    """The automatic rule due for this slip today, or None (never after the deadline)."""
    if today > slip.deadline:
        return None
    if today == slip.deadline:
        return MORNING
    if slip.remind_days_before and slip.deadline - timedelta(days=slip.remind_days_before) \
            <= today:
        return BEFORE
    return None


def missing_guardians(slip, rule=None):
    """{guardian: [children without an answer]} for active, activated parent accounts;
    with a rule, without those that rule reminded already."""
    answered = SlipAnswer.select(SlipAnswer.pupil).where(SlipAnswer.slip == slip.id)
    reminded = FormReminder.select(FormReminder.account).where(
        (FormReminder.subject == f"slip:{slip.id}") & (FormReminder.rule == (rule or "")))
    rows = (Guardianship.select(Guardianship, User, Pupil).join(User)
            .switch(Guardianship).join(Pupil)
            .where((Pupil.group == slip.group_id) & Pupil.at_school()
                   & Pupil.id.not_in(answered) & User.id.not_in(reminded)
                   & (User.role == ROLE_PARENT)
                   & (User.active == True) & User.password_hash.is_null(False))  # noqa: E712
            .order_by(User.id, Pupil.first_name))
    found = {}
    for row in rows:
        found.setdefault(row.guardian.id, (row.guardian, []))[1].append(row.pupil)
    return dict(found.values())


def _claim(subject, rule, accounts):
    """The accounts this rule has not reminded yet, each now recorded as reminded."""
    claimed = []
    for account in accounts:
        try:
            with db.atomic():
                FormReminder.create(subject=subject, rule=rule, account=account.id)
        except IntegrityError:
            continue
        claimed.append(account)
    return claimed


def remind_slip(slip, rule, now=None):
    """Send one rule's reminder for a slip to the guardians still missing; returns how many."""
    today = school_today(now)
    if today > slip.deadline:
        return 0
    with write_transaction():
        missing = missing_guardians(slip, rule)
        claimed = _claim(f"slip:{slip.id}", rule, list(missing))
        if not claimed:
            return 0
        school = School.current()
        title = _l("Reminder: %(title)s", title=slip.title)
        notifications.notify(
            claimed, KIND, title=title, url=notifications.link("slips.show", slip_id=slip.id),
            mail=lambda parent: outbox.send(
                parent, "slips/reminder", title, slip=slip, children=missing[parent],
                school=school, link=outbox.absolute_url("slips.show", slip_id=slip.id)))
    return len(claimed)


def remind_now(slip, now=None):
    """The teacher's button: remind who has not answered, once per day."""
    return remind_slip(slip, f"manual:{school_today(now).isoformat()}", now)


def send_due_reminders(now=None):
    """The worker's round job: every automatic rule that is due, once; returns how many."""
    local = school_now(now)
    if local.time() < REMIND_FROM:
        return 0
    today = local.date()
    slips = Slip.select().where((Slip.deadline >= today)
                                & (Slip.deadline <= today + timedelta(days=14)))
    sent = 0
    for slip in slips:
        rule = due_rule(slip, today)
        if rule is not None:
            sent += remind_slip(slip, rule, now)
    return sent


def unconfirmed_parents(post, readers):
    """The parents who should confirm reading a post and have not (active, activated)."""
    confirmed = {row[0] for row in ReadConfirmation.select(ReadConfirmation.account).where(
        ReadConfirmation.post == post.id).tuples()}
    return [parent for parent in readers if parent.id not in confirmed
            and parent.active and parent.password_hash]


def remind_readers(post, parents, now=None):
    """Remind these parents (once a day) to confirm reading the post; returns how many."""
    with write_transaction():
        rule = f"manual:{school_today(now).isoformat()}"
        claimed = _claim(f"post:{post.id}", rule, parents)
        if not claimed:
            return 0
        school = School.current()
        title = _l("Please confirm you read: %(title)s", title=post.title)
        notifications.notify(
            claimed, "group_news" if post.group_id else "school_news", title=title,
            url=notifications.link("feed.post", post_id=post.id),
            mail=lambda parent: outbox.send(
                parent, "slips/read_reminder", title, post=post, school=school,
                link=outbox.absolute_url("feed.post", post_id=post.id)))
    return len(claimed)


def last_reminded(subject):
    """When the last reminder of a slip or post went out, or None."""
    row = (FormReminder.select(FormReminder.sent_at).where(FormReminder.subject == subject)
           .order_by(FormReminder.sent_at.desc()).first())
    return row.sent_at if row else None

