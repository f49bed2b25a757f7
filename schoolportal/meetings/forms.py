"""Forms for meeting rounds, blocks, booking, cancelling and individual requests."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from schoolportal.auth.forms import _plain_text
from schoolportal.core.models import utcnow
from schoolportal.meetings.rounds import to_local

ID_RANGE = NumberRange(min=1, max=2**31 - 1)
KIND_CHOICES = (
    SelectChoice("report", _l("Report meetings")),
    SelectChoice("introduction", _l("Introduction meetings")),
    SelectChoice("other", _l("Other meetings")),
)
MAX_TEXT = _l("Use at most %(max)d characters.")


class _Checkboxes(SelectMultipleField):
    """Several choices as checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(label, max_length, required=None):
    """A plain one-line text field, optional unless a message for missing input is given."""
    first = DataRequired(required) if required else Optional()
    return StringField(label, validators=[first, Length(max=max_length, message=MAX_TEXT),
                                          _plain_text])


class RoundForm(FlaskForm):
    """The round itself: what, for which groups, where, and when sign-up is open."""

    title = _text(_l("Title"), 200, _l("Fill in a title."))
    kind = RadioField(_l("Kind of meetings"), choices=KIND_CHOICES, default="report",
                      validators=[InputRequired(_l("Choose the kind of meetings."))])
    groups = _Checkboxes(_l("For the parents of these groups"), coerce=int,
                         validators=[DataRequired(_l("Choose at least one group."))])
    place = _text(_l("Place (e.g. the classroom)"), 200)
    video_url = _text(_l("Video link (optional)"), 500)
    opens_at = DateTimeLocalField(_l("Sign-up opens"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Fill in a date and time."))])
    closes_at = DateTimeLocalField(_l("Sign-up closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Fill in a date and time."))])
    one_per_guardian = BooleanField(
        _l("Each parent books separately (for parents who live apart)"))

    def validate_video_url(self, field):
        """Only https links: a video link is clicked by every parent."""
        if field.data and not field.data.strip().startswith("https://"):
            raise ValidationError(_l("Use a link that starts with https://"))

    def validate_closes_at(self, field):
        """Sign-up closes after it opens."""
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Sign-up must close after it opens."))

    def values(self):
        """The round's columns from the form (times still local)."""
        return {"title": self.title.data.strip(), "kind": self.kind.data,
                "place": (self.place.data or "").strip(),
                "video_url": (self.video_url.data or "").strip(),
                "one_per_guardian": bool(self.one_per_guardian.data)}


class BlockForm(FlaskForm):
    """A teacher's times on one day, cut into slots of equal length."""

    teacher = SelectField(_l("Teacher"), coerce=int,
                          validators=[InputRequired(_l("Choose a teacher."))])
    day = DateField(_l("Date"), validators=[DataRequired(_l("Fill in a date."))])
    starts = TimeField(_l("From"), validators=[DataRequired(_l("Fill in a time."))])
    ends = TimeField(_l("Until"), validators=[DataRequired(_l("Fill in a time."))])
    slot_minutes = IntegerField(
        _l("Minutes per meeting"), default=10, validators=[
            InputRequired(_l("Fill in a number.")),
            NumberRange(min=5, max=120, message=_l("Use a number from 5 to 120."))])
    gap_minutes = IntegerField(
        _l("Minutes between meetings"), default=0, validators=[
            InputRequired(_l("Fill in a number.")),
            NumberRange(min=0, max=60, message=_l("Use a number from 0 to 60."))])
    break_starts = TimeField(_l("Break from (optional)"), validators=[Optional()])
    break_ends = TimeField(_l("Break until"), validators=[Optional()])

    def validate_ends(self, field):
        """The block ends after it starts."""
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_break_ends(self, field):
        """A break has both times, in that order."""
        if bool(field.data) != bool(self.break_starts.data):
            raise ValidationError(_l("Fill in both times of the break, or neither."))
        if field.data and field.data <= self.break_starts.data:
            raise ValidationError(_l("The end must come after the start."))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: publish, remove, block, cancel."""


class BookForm(FlaskForm):
    """One tap in the grid: which child, which time."""

    pupil = IntegerField(validators=[InputRequired(), ID_RANGE])
    slot = IntegerField(validators=[InputRequired(), ID_RANGE])


class PairForm(FlaskForm):
    """Two joining times for two children, booked together."""

    first_pupil = IntegerField(validators=[InputRequired(), ID_RANGE])
    first_slot = IntegerField(validators=[InputRequired(), ID_RANGE])
    second_pupil = IntegerField(validators=[InputRequired(), ID_RANGE])
    second_slot = IntegerField(validators=[InputRequired(), ID_RANGE])


class StaffCancelForm(FlaskForm):
    """Staff cancel a booking and tell the parents why."""

    reason = TextAreaField(_l("Reason (the parents receive it by email)"), validators=[
        DataRequired(_l("Tell the parents why.")), Length(max=500, message=MAX_TEXT)])


class OnBehalfForm(FlaskForm):
    """Staff book a time for a child whose parent has no account or phone."""

    who = SelectField(_l("For"), validators=[InputRequired(_l("Choose a child."))])


class RequestForm(FlaskForm):
    """A parent asks a teacher for a conversation."""

    who = SelectField(_l("About which child, with whom"),
                      validators=[InputRequired(_l("Choose a child and teacher."))])
    reason = TextAreaField(_l("What would you like to talk about?"), validators=[
        DataRequired(_l("Write in a few words what it is about.")),
        Length(max=300, message=MAX_TEXT)])


class OfferForm(FlaskForm):
    """The teacher offers up to three times for an individual conversation."""

    start_1 = DateTimeLocalField(_l("Time 1"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Fill in at least one time."))])
    start_2 = DateTimeLocalField(_l("Time 2 (optional)"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    start_3 = DateTimeLocalField(_l("Time 3 (optional)"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    minutes = IntegerField(_l("Minutes"), default=15, validators=[
        InputRequired(_l("Fill in a number.")),
        NumberRange(min=5, max=120, message=_l("Use a number from 5 to 120."))])
    place = _text(_l("Place or video link"), 200)

    def starts(self):
        """The offered local start times, without doubles, in order."""
        return sorted({f.data for f in (self.start_1, self.start_2, self.start_3) if f.data})

    def validate_start_1(self, field):
        """Times in the future and within a year."""
        now = to_local(utcnow())
        for value in self.starts() if field.data else []:
            if not now < value < now + timedelta(days=366):
                raise ValidationError(_l("Choose times in the coming year."))


class PickForm(FlaskForm):
    """The parent picks one of the offered times."""

    slot = IntegerField(validators=[InputRequired(), ID_RANGE])
