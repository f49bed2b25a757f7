"""Forms for photo consent: a parent's choice for one category, and the school's categories."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from schoolportal.auth.forms import _plain_text

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")
YES, NO = "yes", "no"


class ConsentChoiceForm(FlaskForm):
    """One toggle: yes or no for one child and category; where to go back to without htmx."""

    granted = RadioField(_l("Consent"), choices=[
        SelectChoice(YES, _l("Yes")), SelectChoice(NO, _l("No"))],
        validators=[InputRequired(_l("Choose yes or no."))])
    next = HiddenField()

    @property
    def granted_value(self):
        """The choice as a boolean (only after validation)."""
        return self.granted.data == YES


class ReminderForm(FlaskForm):
    """Only the CSRF token: sending the yearly reminder needs nothing else."""


class CategoryForm(FlaskForm):
    """A consent category: its name and description (the school's own words) and space."""

    name = StringField(_l("Name"), validators=[
        InputRequired(_l("Give the category a name.")),
        Length(max=100, message=_l("Use at most %(max)d characters.")), _plain_text])
    description = TextAreaField(_l("Description for parents"), validators=[
        Length(max=1000, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": 1000})
    space = RadioField(_l("Photos in the portal"), default="", choices=[
        SelectChoice("", _l("No: a use outside the portal (website, press, ...)")),
        SelectChoice("group", _l("Group albums need this consent")),
        SelectChoice("school", _l("School-wide albums need this consent")),
    ], validators=[])
    active = BooleanField(_l("Active: parents are asked for this consent"), default=True)

    def values(self):
        """The cleaned values for consent.save_category."""
        return {"name": self.name.data.strip(),
                "description": (self.description.data or "").strip(),
                "space": self.space.data or None, "active": bool(self.active.data)}


class NewCategoryForm(CategoryForm):
    """A new category also gets its key: a short code that never changes."""

    key = StringField(_l("Key"), validators=[InputRequired(_l("Give the category a key."))])

    def validate_key(self, field):
        """Lower-case letters, digits and underscores, starting with a letter."""
        field.data = (field.data or "").strip()
        if not KEY_PATTERN.fullmatch(field.data):
            raise ValidationError(_l("Use 2 to 40 lower-case letters, digits or underscores, "
                                     "starting with a letter."))

    def values(self):
        """The cleaned values, with the key."""
        return {**super().values(), "key": self.key.data}
