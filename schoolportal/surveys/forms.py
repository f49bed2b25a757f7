"""Forms for surveys (settings, questions, a message to a selection) and calls for help.

The answer form itself is built from the survey's questions (see survey_answers.parse);
here it is only its CSRF token.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from schoolportal.admin.forms import CheckboxesField
from schoolportal.auth.forms import _plain_text
from schoolportal.core import clock
from schoolportal.core.models import utcnow
from schoolportal.surveys.models import (
    CHOICE_KINDS,
    MULTIPLE,
    NUMBER,
    PER_CHILD,
    PER_FAMILY,
    SINGLE,
    TEXT,
    YES_NO,
)

SCHOOL = "school"
ZONE = ZoneInfo("Europe/Amsterdam")
MAX_OPTIONS = 20
KIND_CHOICES = (
    SelectChoice(SINGLE, _l("Single choice (one option)")),
    SelectChoice(MULTIPLE, _l("Multiple choice (several options)")),
    SelectChoice(YES_NO, _l("Yes or no")),
    SelectChoice(TEXT, _l("Short text")),
    SelectChoice(NUMBER, _l("Number")),
)


def _at_most(limit):
    """A length limit with the usual message."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


def _title(label, message):
    """A required one-line title."""
    return StringField(label, validators=[DataRequired(message), _at_most(200), _plain_text])


def _description(label):
    """An optional longer text."""
    return TextAreaField(label, validators=[_at_most(5000)])


def _audience_choices(groups, whole_school):
    """The whole school (for admins) and the groups one may address."""
    choices = [SelectChoice(SCHOOL, _l("The whole school"))] if whole_school else []
    return choices + [SelectChoice(str(g.id), g.name) for g in groups]


def to_utc(local):
    """A time typed in the school's time zone, as naive UTC."""
    return local.replace(tzinfo=ZONE).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc):
    """A stored UTC time in the school's time zone, for a datetime-local field."""
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).replace(tzinfo=None)


class SurveyForm(FlaskForm):
    """A survey's title, audience, deadline and how it is answered."""

    title = _title(_l("Title"), _l("Fill in a title."))
    description = _description(_l("Explanation for parents (optional)"))
    audience = CheckboxesField(_l("For whom"), validators=[
        DataRequired(_l("Choose the whole school or at least one group."))])
    closes_at = DateTimeLocalField(_l("Answers possible until"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Fill in a date and time."))])
    anonymous = RadioField(_l("Names"), default="named", choices=[
        SelectChoice("named", _l("Named: you see who answered what")),
        SelectChoice("anonymous", _l("Anonymous: nobody can see who answered what")),
    ], validators=[DataRequired()])
    per = RadioField(_l("Answers"), default=PER_FAMILY, choices=[
        SelectChoice(PER_FAMILY, _l("One answer per family (each parent's account answers once)")),
        SelectChoice(PER_CHILD, _l("One answer per child (either parent can give or change it)")),
    ], validators=[DataRequired()])

    def __init__(self, *args, groups=(), whole_school=False, **kwargs):
        """Offer the groups this user may address, and the whole school to admins."""
        super().__init__(*args, **kwargs)
        self.audience.choices = _audience_choices(groups, whole_school)

    def validate_audience(self, field):
        """The whole school, or groups: not both."""
        if SCHOOL in field.data and len(field.data) > 1:
            raise ValidationError(_l("Choose the whole school or groups, not both."))

    def validate_closes_at(self, field):
        """Somewhere in the coming year, and later than now."""
        if field.data is None:
            return
        closes = to_utc(field.data)
        if closes <= utcnow():
            raise ValidationError(_l("Choose a moment in the future."))
        if closes > utcnow() + timedelta(days=366):
            raise ValidationError(_l("Choose a moment within a year."))

    def group_ids(self):
        """The chosen group ids (empty for the whole school)."""
        return [int(v) for v in self.audience.data if v != SCHOOL]


class QuestionForm(FlaskForm):
    """One question: what kind, its text, options for choice questions, required or not."""

    kind = SelectField(_l("Kind of question"), choices=KIND_CHOICES, default=SINGLE,
                       validators=[DataRequired()])
    text = StringField(_l("Question"), validators=[
        DataRequired(_l("Fill in the question.")), _at_most(500), _plain_text])
    options = TextAreaField(_l("Options (one per line)"), validators=[_at_most(5000)])
    required = BooleanField(_l("Parents must answer this question"), default=True)

    def validate_options(self, field):
        """Choice questions need two to twenty different options of up to 200 characters."""
        if self.kind.data not in CHOICE_KINDS:
            return
        labels = self.labels()
        if len(labels) < 2:
            raise ValidationError(_l("Give at least two options, one per line."))
        if len(labels) > MAX_OPTIONS:
            raise ValidationError(_l("Give at most %(max)d options.", max=MAX_OPTIONS))
        if any(len(label) > 200 for label in labels):
            raise ValidationError(_l("An option can have at most 200 characters."))
        if len({label.casefold() for label in labels}) < len(labels):
            raise ValidationError(_l("Each option must differ from the others."))

    def labels(self):
        """The options typed, one per line, without empty lines."""
        lines = (self.options.data or "").splitlines()
        return [line.strip() for line in lines if line.strip()]


class ActionForm(FlaskForm):
    """Only the CSRF token: publish, close, delete, sign up, withdraw."""


class MessageForm(FlaskForm):
    """A mail from staff to the parents selected by their answer."""

    subject = _title(_l("Subject"), _l("Fill in a subject."))
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write a message.")), _at_most(5000)])


class CallForm(FlaskForm):
    """A call for help: what, for whom, on which day, how many people."""

    title = _title(_l("What help is needed"), _l("Fill in what help is needed."))
    description = _description(_l("More about it (optional)"))
    group = SelectField(_l("For whom"), validators=[DataRequired(_l("Choose a group."))])
    event_on = DateField(_l("On which day"), validators=[InputRequired(_l("Fill in a date."))])
    places = IntegerField(_l("Number of people needed"), default=2, validators=[
        InputRequired(_l("Fill in a number.")),
        NumberRange(min=1, max=200, message=_l("Use a number from 1 to 200."))])

    def __init__(self, *args, groups=(), whole_school=False, **kwargs):
        """Offer the groups this user may address, and the whole school to admins."""
        super().__init__(*args, **kwargs)
        self.group.choices = _audience_choices(groups, whole_school)

    def validate_event_on(self, field):
        """Today or later, within a year."""
        today = clock.school_today()
        if field.data and not today <= field.data <= today + timedelta(days=366):
            raise ValidationError(_l("Choose a day from today to a year from now."))

    def group_id(self):
        """The chosen group id, or None for the whole school."""
        return None if self.group.data == SCHOOL else int(self.group.data)
