"""Forms of the administration: groups, pupils, staff, and confirmations."""

import re
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from schoolportal.admin.service import today_in_school
from schoolportal.auth.forms import _plain_text
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
PUPIL_NUMBER = re.compile(r"^[A-Za-z0-9._/-]+$")
ROLE_CHOICES = [
    SelectChoice(ROLE_STAFF, _l("Staff (teacher)")),
    SelectChoice(ROLE_ADMIN, _l("Admin (office or director)")),
]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _name_field(label, message):
    """A required name of at most 100 plain characters."""
    return StringField(label, validators=[
        DataRequired(message), Length(max=100, message=_l("Use at most %(max)d characters.")),
        _plain_text,
    ])


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GroupForm(FlaskForm):
    """A group's name, school year and place in the school's order."""

    name = _name_field(_l("Name of the group"), _l("Fill in the name of the group."))
    school_year = StringField(_l("School year"), validators=[
        DataRequired(_l("Fill in the school year.")), Length(max=9)])
    sort_order = IntegerField(_l("Order in lists"), default=0, validators=[
        InputRequired(_l("Fill in a number.")),
        NumberRange(min=0, max=999, message=_l("Use a number from 0 to 999."))])

    def validate_school_year(self, field):
        """Like 2026-2027: two years that follow each other."""
        match = SCHOOL_YEAR.match(field.data or "")
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValidationError(_l("Write the school year like 2026-2027."))


class PupilForm(FlaskForm):
    """A pupil's names, birth date, group and pupil number."""

    first_name = _name_field(_l("First name"), _l("Fill in the first name."))
    last_name = _name_field(_l("Last name"), _l("Fill in the last name."))
    birth_date = DateField(_l("Date of birth"), validators=[
        InputRequired(_l("Fill in the date of birth."))])
    group = SelectField(_l("Group"), coerce=int, validators=[
        InputRequired(_l("Choose a group."))])
    pupil_number = StringField(_l("Pupil number (optional)"), validators=[
        Length(max=32, message=_l("Use at most %(max)d characters."))])

    def validate_birth_date(self, field):
        """Children at a primary school are roughly 2 to 16 years old."""
        today = today_in_school()
        oldest, youngest = today - timedelta(days=16 * 366), today - timedelta(days=2 * 365)
        if field.data is not None and not oldest <= field.data <= youngest:
            raise ValidationError(_l("This date of birth is not plausible for a pupil."))

    def validate_pupil_number(self, field):
        """Letters, digits and . _ / - only, as school administrations write them."""
        value = (field.data or "").strip()
        if value and not PUPIL_NUMBER.match(value):
            raise ValidationError(_l("Use only letters, digits and . _ / -"))


class MoveForm(FlaskForm):
    """The group a pupil moves to."""

    group = SelectField(_l("New group"), coerce=int, validators=[
        InputRequired(_l("Choose a group."))])


class LeaveForm(FlaskForm):
    """The day a pupil leaves school."""

    left_on = DateField(_l("Leaving date"), default=today_in_school, validators=[
        InputRequired(_l("Fill in a date."))])

    def validate_left_on(self, field):
        """From a year back (late paperwork) to a year ahead (a known move)."""
        today, year = today_in_school(), timedelta(days=366)
        if field.data is not None and not today - year <= field.data <= today + year:
            raise ValidationError(_l("Choose a date within a year from today."))


class ConfirmForm(FlaskForm):
    """A button that acts: only the CSRF token travels."""


class StaffInviteForm(FlaskForm):
    """A new member of staff: address, name, role and groups."""

    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Fill in the email address.")),
        Length(max=254, message=_l("This email address is too long.")), _plain_text,
    ], render_kw={"autocomplete": "off", "inputmode": "email", "autocapitalize": "none"})
    display_name = _name_field(_l("Name as others see it"), _l("Fill in the name."))
    role = RadioField(_l("Role"), default=ROLE_STAFF, choices=ROLE_CHOICES,
        validators=[InputRequired(_l("Choose a role."))])
    groups = CheckboxesField(_l("Groups"), coerce=int)

    def validate_email(self, field):
        """One @ and a domain with a dot; the invitation mail proves the rest."""
        if not EMAIL.match((field.data or "").strip()):
            raise ValidationError(_l("This is not an email address."))


class StaffGroupsForm(FlaskForm):
    """The groups a member of staff works with."""

    groups = CheckboxesField(_l("Works with these groups"), coerce=int)


class RoleForm(FlaskForm):
    """Staff or admin."""

    role = RadioField(_l("Role in the portal"), choices=ROLE_CHOICES,
        validators=[InputRequired(_l("Choose a role."))])


def group_choices(groups):
    """Choices for a group field: name and school year."""
    return [SelectChoice(g.id, f"{g.name} ({g.school_year})") for g in groups]
