"""Forms for asking for access (public) and for deciding on a request (admins)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from schoolportal.access import service
from schoolportal.auth.forms import _plain_text
from schoolportal.core import clock

# Good enough to catch typing mistakes; the invitation mail is the real check.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
OLDEST_CHILD_YEARS = 20


def _max(length):
    """A length limit with the shared message."""
    return Length(max=length, message=_l("Use at most %(max)d characters."))


def _email_address(form, field):
    """Refuse what cannot be an email address."""
    if field.data and not EMAIL_PATTERN.fullmatch(field.data.strip()):
        raise ValidationError(_l("Fill in a valid email address, such as name@example.org."))


def _plausible_birth_date(form, field):
    """A child of primary school age or younger: not in the future, not decades ago."""
    today = clock.school_today()
    if field.data and (field.data > today or today.year - field.data.year > OLDEST_CHILD_YEARS):
        raise ValidationError(_l("Check the date of birth."))


class BirthDateField(DateField):
    """A birth date typed as day-month-year (14-03-2020); a year-first date is read too.

    A text input, not a date picker: a birth date is remembered, not looked up, and
    scrolling a picker back years is slow on a phone (GOV.UK's advice for such dates).
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        """An empty value is missing (InputRequired says so), not a wrongly written date."""
        if valuelist and not (valuelist[0] or "").strip():
            self.data = None
            return
        super().process_formdata([(valuelist[0] or "").strip()] if valuelist else valuelist)

    def _value(self):
        """A date read from any format goes back as 14-03-2020."""
        return self.data.strftime("%d-%m-%Y") if self.data else super()._value()


class AccessRequestForm(FlaskForm):
    """The child's name and birth date, and who asks: name, address, relation."""

    child_first_name = StringField(
        _l("Child's first name"),
        validators=[DataRequired(_l("Fill in your child's first name.")), _max(100), _plain_text],
        render_kw={"autocomplete": "off"},
    )
    child_last_name = StringField(
        _l("Child's last name"),
        validators=[DataRequired(_l("Fill in your child's last name.")), _max(100), _plain_text],
        render_kw={"autocomplete": "off"},
    )
    child_birth_date = BirthDateField(
        _l("Child's date of birth"),
        format=["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %m %Y", "%d%m%Y", "%Y-%m-%d"],
        invalid_value_message=_l("Write the date as day-month-year, for example 14-03-2020."),
        validators=[InputRequired(_l("Fill in your child's date of birth.")),
                    _plausible_birth_date],
        render_kw={"autocomplete": "off", "inputmode": "text", "maxlength": 10},
    )
    child_group = StringField(
        _l("Child's group (if you know it)"), validators=[Optional(), _max(50), _plain_text],
        render_kw={"autocomplete": "off"},
    )
    requester_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Fill in your name.")), _max(100), _plain_text],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        _l("Your email address"),
        validators=[DataRequired(_l("Fill in your email address.")),
                    Length(max=254, message=_l("This email address is too long.")),
                    _plain_text, _email_address],
        render_kw={"type": "email", "autocomplete": "email", "inputmode": "email",
                   "autocapitalize": "none"},
    )
    relation = RadioField(
        _l("You are the child's"),
        choices=[("parent", _l("parent")), ("carer", _l("carer")),
                 ("guardian", _l("legal guardian"))],
        invalid_choice_message=_l("Choose how you are related to the child."),
    )
    parental_authority = BooleanField(
        _l("I have parental authority over this child (as a parent or legal guardian)."),
        validators=[DataRequired(_l("Only someone with parental authority can ask for "
                                    "access. Tick the box to confirm."))],
    )
    note = TextAreaField(
        _l("Anything the school should know (optional)"),
        validators=[Optional(), _max(1000)],
        render_kw={"rows": 3},
    )
    # A field people do not see: bots fill it in, and their request is quietly dropped.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), _max(200)])

    def is_bot(self):
        """True when the hidden field was filled in."""
        return bool((self.website.data or "").strip())

    def request_fields(self):
        """The cleaned values to store."""
        return {
            "child_first_name": " ".join(self.child_first_name.data.split()),
            "child_last_name": " ".join(self.child_last_name.data.split()),
            "child_birth_date": self.child_birth_date.data,
            "child_group": (self.child_group.data or "").strip(),
            "requester_name": " ".join(self.requester_name.data.split()),
            "email": self.email.data,
            "relation": self.relation.data,
            "note": (self.note.data or "").strip(),
        }


class ApproveForm(FlaskForm):
    """Approve: the pupil this request is about, from the suggestions or by pupil number."""

    pupil = SelectField(_l("Pupil"), coerce=int, validate_choice=False)
    pupil_number = StringField(
        _l("Or the pupil number (from the school administration)"),
        validators=[Optional(), _max(32), _plain_text], render_kw={"autocomplete": "off"},
    )
    chosen_pupil = None  # set by validation: the current pupil picked or typed

    def offer(self, suggestions):
        """Offer the suggested pupils, with group and birth date to tell them apart."""
        self.pupil.choices = [(0, _l("Choose a pupil"))] + [
            (p.id, f"{p.full_name} · {p.group.name} · {p.birth_date:%d-%m-%Y}")
            for p in suggestions
        ]

    def validate_pupil(self, field):
        """A current pupil chosen, or else a pupil number typed."""
        if field.data:
            self.chosen_pupil = service.find_pupil(pupil_id=field.data)
            if self.chosen_pupil is None:
                raise ValidationError(_l("This pupil is not at school (any more)."))
        elif not (self.pupil_number.data or "").strip():
            raise ValidationError(_l("Choose the pupil this request is about."))

    def validate_pupil_number(self, field):
        """The pupil number of a current pupil, when no pupil was chosen from the list."""
        if not self.pupil.data and field.data and not field.errors:
            self.chosen_pupil = service.find_pupil(pupil_number=field.data)
            if self.chosen_pupil is None:
                raise ValidationError(_l("No pupil at school has this pupil number."))


class RejectForm(FlaskForm):
    """Reject: the reason, which the requester receives by mail."""

    reason = TextAreaField(
        _l("Reason (sent to the requester)"),
        validators=[DataRequired(_l("Give the reason; the requester receives it by mail.")),
                    _max(1000)],
        render_kw={"rows": 2},
    )
