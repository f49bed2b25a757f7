"""Forms for coaching and research footage: the upload and the early destruction."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from schoolportal.auth.forms import _plain_text
from schoolportal.coaching import service
from schoolportal.core.worker import school_today

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]  # the date picker, and what people type without one
NO_GROUP = ""


def _not_blank(message):
    """A validator refusing text that is empty or only spaces."""

    def check(form, field):
        if not (field.data or "").strip():
            raise ValidationError(message)

    return check


def _text(form, field):
    """Refuse control characters other than tabs and line ends."""
    if any((ord(c) < 32 and c not in "\t\r\n") or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


class FootageForm(FlaskForm):
    """A photo or video with what it is for, its group and its destruction date."""

    title = StringField(_l("Title"), validators=[
        _not_blank(_l("Fill in a title.")),
        Length(max=200, message=_l("Use at most %(max)d characters.")), _plain_text])
    purpose = TextAreaField(_l("What it is for"), validators=[
        _not_blank(_l("Say what the footage is for.")),
        Length(max=1000, message=_l("Use at most %(max)d characters.")), _text],
        render_kw={"rows": 3})
    group = SelectField(_l("Group"), validate_choice=False)  # checked in validate_group
    destroy_on = DateField(
        _l("Destruction date"), format=DATE_FORMATS,
        validators=[InputRequired(_l("Choose the day the footage is destroyed."))],
        invalid_value_message=_l("Choose a date, for example 14-03-2027."))
    file = FileField(_l("Photo or video"), render_kw={
        "accept": "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,video/webm"})

    def __init__(self, *args, groups=(), **kwargs):
        """Offer no group, or one of the groups this member of staff works with."""
        super().__init__(*args, **kwargs)
        today = school_today()
        self.destroy_on.render_kw = {"min": today.isoformat(),
                                     "max": service.latest_destroy_on(today).isoformat()}
        self.groups = {str(g.id): g for g in groups}
        self.group.choices = [SelectChoice(NO_GROUP, _l("No group (only you and the "
                                                        "school management)"))] + [
            SelectChoice(str(g.id), g.name) for g in groups]

    def validate_group(self, field):
        """No group, or one of the groups offered."""
        if field.data != NO_GROUP and field.data not in self.groups:
            raise ValidationError(_l("Choose one of your groups, or no group."))

    def validate_destroy_on(self, field):
        """Today or later, and not further ahead than the school allows."""
        if field.data is None:
            return  # not a date: the field says so already
        problem = service.destroy_on_problem(field.data, school_today())
        if problem:
            raise ValidationError(problem)

    def validate_file(self, field):
        """A file must be chosen (its content is judged when it is stored)."""
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a photo or a video."))

    def chosen_group(self):
        """The group chosen, or None."""
        return self.groups.get(self.group.data)


class DestroyForm(FlaskForm):
    """Destroying footage now: the box must be ticked (it cannot be undone)."""

    confirm = BooleanField(_l("I understand that the footage is destroyed for good."),
                           validators=[InputRequired(_l("Tick the box to confirm."))])
