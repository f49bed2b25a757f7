"""Permission slips (toestemmingsformulieren) per child, and read confirmations on posts.

A slip belongs to one group (and may hang under a post of that group). Each child has at
most one current answer: `SlipAnswer` is unique per (slip, pupil), and every write raises its
`version` with a conditional UPDATE, so two guardians answering at once are put one after
the other by the database. Every version is kept in `SlipAnswerHistory` (unique per
version), so who answered what, and when, stays visible.

`FormReminder` is the sent-log of reminders: unique per (subject, rule, account), so each
rule reminds each guardian once, however many workers run.
"""

import json

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow
from schoolportal.feed.models import Post

YES_NO, CHOICE, TEXT = "yes_no", "choice", "text"
KINDS = (YES_NO, CHOICE, TEXT)


class Slip(BaseModel):
    """A form for the parents of one group: one answer per child, until the deadline."""

    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    group = pw.ForeignKeyField(Group, backref="+", on_delete="CASCADE")
    post = pw.ForeignKeyField(Post, null=True, backref="+", on_delete="SET NULL")
    deadline = pw.DateField()  # answers are taken until the end of this day (school time)
    remind_days_before = pw.IntegerField(
        default=2, constraints=[pw.Check("remind_days_before BETWEEN 0 AND 14")])
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "slip"

    def is_open(self, today):
        """True while answers can be given or changed (through the deadline day)."""
        return today <= self.deadline


class SlipQuestion(BaseModel):
    """One question: yes/no, a choice from options (one per line), or a short text."""

    slip = pw.ForeignKeyField(Slip, backref="questions", on_delete="CASCADE")
    position = pw.IntegerField(default=0)
    kind = pw.CharField(max_length=8, constraints=[
        pw.Check("kind IN ('yes_no','choice','text')")])
    text = pw.CharField(max_length=300)
    options = pw.TextField(default="")  # for a choice: one option per line
    required = pw.BooleanField(default=True)

    class Meta:
        table_name = "slip_question"

    @property
    def option_list(self):
        """The options of a choice question, in order."""
        return [line for line in self.options.splitlines() if line.strip()]


class SlipAnswer(BaseModel):
    """The current answer for one child; `version` counts the changes (conditional UPDATE)."""

    slip = pw.ForeignKeyField(Slip, backref="answers", on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE")
    answered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    answered_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)
    answer_json = pw.TextField(default="{}")  # JSON: {question id: "yes" | "no" | option | text}

    class Meta:
        table_name = "slip_answer"
        indexes = ((("slip", "pupil"), True),)

    @property
    def given(self):
        """The answers as {question id (str): value}."""
        return json.loads(self.answer_json or "{}")


class SlipAnswerHistory(BaseModel):
    """Every version of a child's answer, with who gave it and when."""

    slip = pw.ForeignKeyField(Slip, backref="+", on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE")
    version = pw.IntegerField()
    answered_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    answered_at = pw.DateTimeField(default=utcnow)
    answer_json = pw.TextField(default="{}")

    class Meta:
        table_name = "slip_answer_history"
        indexes = ((("slip", "pupil", "version"), True),)

    @property
    def given(self):
        """The answers of this version as {question id (str): value}."""
        return json.loads(self.answer_json or "{}")


class ReadRequest(BaseModel):
    """Staff asked the parents to confirm they read and understood a post."""

    post = pw.ForeignKeyField(Post, backref="+", on_delete="CASCADE", unique=True)
    requested_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    requested_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "read_request"


class ReadConfirmation(BaseModel):
    """A parent tapped "Gelezen" (read and understood) on a post; once per post and account."""

    post = pw.ForeignKeyField(Post, backref="+", on_delete="CASCADE")
    account = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    confirmed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "read_confirmation"
        indexes = ((("post", "account"), True),)


class FormReminder(BaseModel):
    """A reminder that went to one account: subject "slip:<id>" or "post:<id>", rule
    "before", "morning" or "manual:<day>". Unique, so a rule reminds each account once."""

    subject = pw.CharField(max_length=24)
    rule = pw.CharField(max_length=24)
    account = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    sent_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "form_reminder"
        indexes = ((("subject", "rule", "account"), True),)
