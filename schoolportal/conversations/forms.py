"""Forms for conversations (start, answer), office hours and the directory choices."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from schoolportal.auth.forms import _plain_text
from schoolportal.conversations.models import BODY_MAX, SUBJECT_MAX

PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,18}")
DAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"))


def _text_without_controls(form, field):
    """Refuse control characters other than line ends and tabs (the database refuses NUL)."""
    if any((ord(c) < 32 and c not in "\t\r\n") or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def _message_body():
    """The message text: required, bounded, plain."""
    return TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write a message.")),
                    Length(max=BODY_MAX, message=_l(
                        "A message can be at most %(max)d characters long.")),
                    _text_without_controls],
        filters=[lambda text: text.replace("\r\n", "\n").strip() if text else text],
        render_kw={"rows": 5, "maxlength": BODY_MAX},
    )


def _attachment():
    """One optional file; media.py decides by its content whether it is accepted."""
    return FileField(_l("Attachment (optional)"))


def _subject():
    """What the conversation is about, in a few words."""
    return StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Fill in a subject.")),
                    Length(max=SUBJECT_MAX, message=_l("Use at most %(max)d characters.")),
                    _plain_text],
        filters=[lambda text: text.strip() if text else text],
        render_kw={"maxlength": SUBJECT_MAX, "autocomplete": "off"},
    )


class ReplyForm(FlaskForm):
    """A new message in a conversation."""

    body = _message_body()
    attachment = _attachment()


class ParentStartForm(FlaskForm):
    """A parent writes to a teacher of their child or to the office."""

    recipient = SelectField(_l("To"), validate_choice=False)
    subject = _subject()
    body = _message_body()
    attachment = _attachment()

    def __init__(self, choices, *args, **kwargs):
        """`choices`: (key, label) for everyone this parent may write to."""
        super().__init__(*args, **kwargs)
        self.recipient.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(key, label) for key, label in choices]

    def validate_recipient(self, field):
        """Only someone this parent may reach; a forged choice gets the same clear message."""
        allowed = {choice.value for choice in self.recipient.choices if choice.value}
        if field.data not in allowed:
            raise ValidationError(_l("Choose someone from the list to write to."))


class StaffStartForm(FlaskForm):
    """Staff write to one or more guardians of a pupil."""

    guardians = SelectMultipleField(
        _l("To"), coerce=str, validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    subject = _subject()
    body = _message_body()
    attachment = _attachment()

    def __init__(self, guardians, *args, **kwargs):
        """`guardians`: the users of the pupil this member of staff may write to."""
        super().__init__(*args, **kwargs)
        self.guardians.choices = [SelectChoice(str(user.id), user.display_name)
                                  for user in guardians]

    def validate_guardians(self, field):
        """At least one, and only guardians of this pupil."""
        allowed = {choice.value for choice in self.guardians.choices}
        chosen = set(field.data or [])
        if not chosen:
            raise ValidationError(_l("Choose at least one parent or guardian."))
        if not chosen <= allowed:
            raise ValidationError(_l("Choose only parents or guardians from the list."))

    def chosen_ids(self):
        """The ids of the chosen guardians."""
        return {int(key) for key in self.guardians.data}


class OfficeHoursForm(FlaskForm):
    """From and until which time a member of staff answers messages, per school day."""

    def periods(self):
        """{weekday: (starts_at, ends_at)} for the days filled in."""
        found = {}
        for day in range(len(DAY_NAMES)):
            starts, ends = self[f"starts_{day}"].data, self[f"ends_{day}"].data
            if starts and ends:
                found[day] = (starts, ends)
        return found

    def validate(self, extra_validators=None):
        """Each day: both times or neither, and the end after the start."""
        valid = super().validate(extra_validators)
        for day in range(len(DAY_NAMES)):
            starts, ends = self[f"starts_{day}"], self[f"ends_{day}"]
            if starts.errors or ends.errors:
                continue
            if bool(starts.data) != bool(ends.data):
                ends.errors.append(_l("Fill in both times, or neither."))
                valid = False
            elif starts.data and starts.data >= ends.data:
                ends.errors.append(_l("The end must be after the start."))
                valid = False
        return valid


# One pair of times per school day; the page puts each pair under the day's name.
for _day in range(len(DAY_NAMES)):
    setattr(OfficeHoursForm, f"starts_{_day}", TimeField(
        _l("From"), validators=[Optional()], format="%H:%M"))
    setattr(OfficeHoursForm, f"ends_{_day}", TimeField(
        _l("Until"), validators=[Optional()], format="%H:%M"))


class DirectoryForm(FlaskForm):
    """Whether a parent appears in the group directory, and what it shows of them."""

    show_in_directory = BooleanField(
        _l("Show my name in the directory of my children's groups"))
    show_email = BooleanField(_l("Also show my email address"))
    show_phone = BooleanField(_l("Also show my phone number"))
    phone = StringField(
        _l("Phone number"),
        # No Optional(): it would stop the check that a shown number is filled in.
        validators=[Length(max=20, message=_l("Use at most %(max)d characters.")), _plain_text],
        filters=[lambda text: text.strip() if text else text],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 20},
    )

    def validate_phone(self, field):
        """A phone number the way people write them, and one to show when asked to."""
        if field.data and not PHONE.fullmatch(field.data):
            raise ValidationError(_l("Write the phone number with digits only, "
                                     "for example 06 12345678."))
        if self.show_phone.data and not field.data:
            raise ValidationError(_l("Fill in the phone number you want to show."))
