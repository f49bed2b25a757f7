"""Forms for permission slips: the slip with its questions, and the CSRF-only action form.

The answer form itself is built from the slip's questions (see slips/answers.parse).
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from schoolportal.core import clock
from schoolportal.slips.models import CHOICE, TEXT, YES_NO

QUESTION_ROWS = 5
MAX_OPTIONS = 12
KIND_CHOICES = (
    SelectChoice(YES_NO, _l("Yes or no")),
    SelectChoice(CHOICE, _l("A choice (one option)")),
    SelectChoice(TEXT, _l("Short text")),
)


def _plain(form, field):
    """Refuse control characters in one-line fields."""
    if any(ord(c) < 32 or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def _at_most(limit):
    """A length limit with the usual message."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class QuestionRow(Form):
    """One question row of the slip form; a row without a question text is left out."""

    kind = SelectField(_l("Kind of question"), choices=KIND_CHOICES, default=YES_NO)
    text = StringField(_l("Question"), validators=[_at_most(300), _plain])
    options = TextAreaField(_l("Options (one per line, for a choice)"),
                            validators=[_at_most(2000)])
    required = BooleanField(_l("Must be answered"), default=True)

    def validate_options(self, field):
        """A choice needs two to twelve different options of up to 100 characters."""
        if self.kind.data != CHOICE or not (self.text.data or "").strip():
            return
        labels = self.labels()
        if len(labels) < 2:
            raise ValidationError(_l("Give at least two options, one per line."))
        if len(labels) > MAX_OPTIONS or any(len(label) > 100 for label in labels):
            raise ValidationError(_l("Give at most %(max)d options of up to 100 characters.",
                                     max=MAX_OPTIONS))
        if len({label.casefold() for label in labels}) < len(labels):
            raise ValidationError(_l("Each option must differ from the others."))

    def labels(self):
        """The options typed, one per line, without empty lines."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class SlipForm(FlaskForm):
    """A slip: title, explanation, group, deadline, reminders and its questions."""

    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Fill in a title.")), _at_most(200), _plain])
    description = TextAreaField(_l("Explanation for parents (optional)"),
                                validators=[_at_most(5000)])
    group = SelectField(_l("Group"), validators=[DataRequired(_l("Choose a group."))])
    deadline = DateField(_l("Answers possible until (this day included)"),
                         validators=[InputRequired(_l("Fill in a date."))])
    remind_days_before = IntegerField(
        _l("Remind parents who have not answered this many days before (0: no)"), default=2,
        validators=[InputRequired(_l("Fill in a number.")),
                    NumberRange(min=0, max=14, message=_l("Use a number from 0 to 14."))])
    questions = FieldList(FormField(QuestionRow), min_entries=QUESTION_ROWS,
                          max_entries=QUESTION_ROWS)

    def __init__(self, *args, groups=(), **kwargs):
        """Offer the groups this user may give a slip to."""
        super().__init__(*args, **kwargs)
        self.group.choices = [SelectChoice(str(g.id), g.name) for g in groups]

    def validate_deadline(self, field):
        """Today or later, within a year."""
        today = clock.school_today()
        if field.data and not today <= field.data <= today + timedelta(days=366):
            raise ValidationError(_l("Choose a day from today to a year from now."))

    def validate_questions(self, field):
        """At least one question."""
        if not self.filled_questions():
            raise ValidationError(_l("Ask at least one question."))

    def filled_questions(self):
        """The question rows with a text: [(kind, text, options, required)]."""
        return [(row.kind.data, row.text.data.strip(), row.labels(), row.required.data)
                for row in (entry.form for entry in self.questions)
                if (row.text.data or "").strip()]


class ActionForm(FlaskForm):
    """Only the CSRF token: remind, confirm reading, ask for a confirmation."""
