"""Forms of the year calendar: the activity editor, the feed link and the .ics import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from schoolportal.auth.forms import _plain_text
from schoolportal.calendar import service

WHOLE_SCHOOL, GROUPS = "school", "groups"
TOO_LONG = _l("Use at most %(max)d characters.")


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _safe_link(form, field):
    """A web address (https://…) or a page of this portal (/…); nothing else can be a link."""
    value = (field.data or "").strip()
    field.data = value
    if not value:
        return
    is_web = value.lower().startswith(("https://", "http://")) and len(value) > 8
    is_here = value.startswith("/") and not value.startswith("//")
    if not (is_web or is_here) or any(c.isspace() or not c.isprintable() for c in value):
        raise ValidationError(_l("Paste a web address starting with https://, or a link to a "
                                 "page of this portal starting with /."))


class ActivityForm(FlaskForm):
    """An activity: what, when, where, for whom."""

    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Fill in a title.")), Length(max=200, message=TOO_LONG), _plain_text])
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Fill in the date."))])
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    starts_at = TimeField(_l("Start time (optional)"), validators=[Optional()])
    ends_at = TimeField(_l("End time (optional)"), validators=[Optional()])
    place = StringField(_l("Place (optional)"), validators=[
        Length(max=200, message=TOO_LONG), _plain_text])
    description = TextAreaField(_l("Description (optional)"), validators=[
        Length(max=5000, message=TOO_LONG)], render_kw={"rows": 5})
    audience = RadioField(_l("For whom"), default=WHOLE_SCHOOL, choices=[
        SelectChoice(WHOLE_SCHOOL, _l("The whole school")),
        SelectChoice(GROUPS, _l("Only the groups below"))])
    groups = CheckboxesField(_l("Groups"), coerce=int)
    link_url = StringField(_l("Link to a message or page (optional)"), validators=[
        Length(max=500, message=TOO_LONG), _safe_link], render_kw={"inputmode": "url"})

    def __init__(self, *args, groups=(), whole_school_allowed=False, **kwargs):
        """Offer the groups this user may plan for; staff cannot choose the whole school."""
        super().__init__(*args, **kwargs)
        self.groups.choices = [SelectChoice(g.id, g.name) for g in groups]
        self.whole_school_allowed = whole_school_allowed
        if not whole_school_allowed:
            self.audience.data = GROUPS  # staff plan for their groups, whatever was posted

    def validate(self, extra_validators=None):
        """The fields one by one, then whether days and times make a real activity."""
        valid = super().validate(extra_validators)
        when = (self.starts_on, self.ends_on, self.starts_at, self.ends_at)
        if self.starts_on.data is None or any(f.errors for f in when):
            return valid
        last = self.ends_on.data or self.starts_on.data
        problem = service.dates_problem(self.starts_on.data, last)
        if problem is not None:
            (self.ends_on if self.ends_on.data else self.starts_on).errors.append(problem)
            return False
        problem = service.times_problem(
            self.starts_on.data, last, self.starts_at.data, self.ends_at.data)
        if problem is not None:
            self.ends_at.errors.append(problem)
            return False
        return valid

    def validate_groups(self, field):
        """An activity that is not for the whole school is for at least one group."""
        if self.audience.data != WHOLE_SCHOOL and not field.data:
            raise ValidationError(_l("Choose at least one group."))

    def data_for_save(self):
        """The form's values as year_calendar.ActivityData."""
        whole = self.audience.data == WHOLE_SCHOOL
        return service.ActivityData(
            title=self.title.data.strip(), starts_on=self.starts_on.data,
            ends_on=self.ends_on.data or self.starts_on.data,
            starts_at=self.starts_at.data, ends_at=self.ends_at.data,
            place=(self.place.data or "").strip(),
            description=(self.description.data or "").replace("\r\n", "\n").strip(),
            whole_school=whole, group_ids=() if whole else tuple(self.groups.data),
            link_url=self.link_url.data or "")


class ConfirmForm(FlaskForm):
    """A button that acts: only the CSRF token travels."""


class ImportUploadForm(FlaskForm):
    """The .ics file and who its activities are for."""

    file = FileField(_l("Calendar file (.ics)"), validators=[
        FileRequired(_l("Choose the .ics file to import."))],
        render_kw={"accept": ".ics,text/calendar"})
    audience = SelectField(_l("The activities are for"), validators=[
        InputRequired(_l("Choose for whom."))])

    def __init__(self, *args, groups=(), whole_school_allowed=False, **kwargs):
        """Offer the whole school (admins) and the groups this user may plan for."""
        super().__init__(*args, **kwargs)
        choices = [SelectChoice(str(g.id), g.name) for g in groups]
        if whole_school_allowed:
            choices.insert(0, SelectChoice(WHOLE_SCHOOL, _l("The whole school")))
        self.audience.choices = choices


class ImportConfirmForm(FlaskForm):
    """Names the checked upload that the user agrees to import."""

    key = HiddenField(validators=[DataRequired(), Length(max=64)])
