"""Surveys (enquêtes) and calls for help (oproepjes).

Anonymous surveys keep who answered apart from what was answered. `SurveyRespondent`
("has answered") names the parent but holds no answer, and has no id or time of its own
that could be lined up with the answers. A `SurveyResponse` of an anonymous survey names
nobody (a CHECK constraint keeps it so), has a random id and no time; the parent can
change it only with a random key kept in a cookie in their own browser, of which the
database stores a hash.

A call for help counts its sign-ups in `taken`: a conditional UPDATE raises it only while
`taken < places`, and a CHECK constraint refuses any row with more sign-ups than places.
"""

import secrets

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow

SINGLE, MULTIPLE, YES_NO, TEXT, NUMBER = "single", "multiple", "yes_no", "text", "number"
KINDS = (SINGLE, MULTIPLE, YES_NO, TEXT, NUMBER)
CHOICE_KINDS = (SINGLE, MULTIPLE)
PER_FAMILY, PER_CHILD = "family", "child"


def _random_id():
    """A response id that says nothing about when it was made."""
    return secrets.token_hex(16)


class Survey(BaseModel):
    """A survey for the parents of the whole school or of some groups."""

    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    school_wide = pw.BooleanField(default=False)  # else: the groups in SurveyGroup
    anonymous = pw.BooleanField(default=False)
    # One answer per parent account ("family") or one per child, which either parent changes.
    per = pw.CharField(max_length=6, default=PER_FAMILY,
                       constraints=[pw.Check("per IN ('family','child')")])
    closes_at = pw.DateTimeField()  # answers are accepted until this moment (UTC)
    published_at = pw.DateTimeField(null=True)  # null: a draft only its makers see
    reminded_at = pw.DateTimeField(null=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def is_published(self):
        """True once parents can see it."""
        return self.published_at is not None

    def is_open(self, now=None):
        """True while parents can answer or change their answer."""
        return self.is_published and (now or utcnow()) < self.closes_at

    @classmethod
    def open_filter(cls, now=None):
        """A filter for published surveys that still take answers."""
        return cls.published_at.is_null(False) & (
            cls.closes_at > (utcnow() if now is None else now))


class SurveyGroup(BaseModel):
    """A group whose parents a survey is for."""

    survey = pw.ForeignKeyField(Survey, backref="audience", on_delete="CASCADE")
    group = pw.ForeignKeyField(Group, on_delete="CASCADE")

    class Meta:
        indexes = ((("survey", "group"), True),)


class SurveyQuestion(BaseModel):
    """One question of a survey, in the order the survey asks them."""

    survey = pw.ForeignKeyField(Survey, backref="questions", on_delete="CASCADE")
    position = pw.IntegerField(default=0)
    kind = pw.CharField(max_length=8, constraints=[
        pw.Check("kind IN ('single','multiple','yes_no','text','number')")])
    text = pw.CharField(max_length=500)
    required = pw.BooleanField(default=True)

    @property
    def is_choice(self):
        """True for questions answered by choosing from options."""
        return self.kind in CHOICE_KINDS


class SurveyOption(BaseModel):
    """An option of a single or multiple choice question."""

    question = pw.ForeignKeyField(SurveyQuestion, backref="options", on_delete="CASCADE")
    position = pw.IntegerField(default=0)
    label = pw.CharField(max_length=200)


class SurveyRespondent(BaseModel):
    """Who has answered (a parent, or a child's answer by a parent), never what.

    `unit` is what answers once: "account:<id>" per family, "pupil:<id>" per child.
    """

    survey = pw.ForeignKeyField(Survey, on_delete="CASCADE")
    unit = pw.CharField(max_length=24)
    account = pw.ForeignKeyField(User, on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, null=True, on_delete="CASCADE")

    class Meta:
        primary_key = pw.CompositeKey("survey", "unit")


class SurveyResponse(BaseModel):
    """One set of answers: named (unit, account, pupil, time) or anonymous (only a key hash)."""

    id = pw.CharField(max_length=32, primary_key=True, default=_random_id)
    survey = pw.ForeignKeyField(Survey, backref="responses", on_delete="CASCADE")
    unit = pw.CharField(max_length=24, null=True)
    account = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    pupil = pw.ForeignKeyField(Pupil, null=True, on_delete="SET NULL")
    answer_key_hash = pw.CharField(max_length=64, null=True, unique=True)
    updated_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("survey", "unit"), True),)
        constraints = [
            # An anonymous response (with a key) names nobody and has no time; a named one
            # always says whose answer it is.
            pw.Check("answer_key_hash IS NULL OR (unit IS NULL AND account_id IS NULL "
                     "AND pupil_id IS NULL AND updated_at IS NULL)"),
            pw.Check("answer_key_hash IS NOT NULL OR unit IS NOT NULL"),
        ]


class SurveyAnswer(BaseModel):
    """The answer to one question: a chosen option (one row each), yes/no, a number or text."""

    response = pw.ForeignKeyField(SurveyResponse, backref="answers", on_delete="CASCADE")
    question = pw.ForeignKeyField(SurveyQuestion, on_delete="CASCADE")
    option = pw.ForeignKeyField(SurveyOption, null=True, on_delete="CASCADE")
    yes = pw.BooleanField(null=True)
    number = pw.IntegerField(null=True)
    text = pw.TextField(null=True)


class HelpCall(BaseModel):
    """A call for help: "4 begeleiders nodig voor de excursie op 12 mei"."""

    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    group = pw.ForeignKeyField(Group, null=True, on_delete="CASCADE")  # null: school-wide
    event_on = pw.DateField()
    places = pw.IntegerField(constraints=[pw.Check("places BETWEEN 1 AND 200")])
    taken = pw.IntegerField(default=0)
    reminded_at = pw.DateTimeField(null=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        constraints = [pw.Check("taken >= 0 AND taken <= places")]

    @property
    def is_full(self):
        """True when every place is taken."""
        return self.taken >= self.places

    @property
    def free(self):
        """The number of places left."""
        return max(self.places - self.taken, 0)


class HelpSignup(BaseModel):
    """A parent who signed up to help; once per call."""

    call = pw.ForeignKeyField(HelpCall, backref="signups", on_delete="CASCADE")
    parent = pw.ForeignKeyField(User, on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("call", "parent"), True),)
