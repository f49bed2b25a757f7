"""Forms for a user's own profile, photo and password, and the visitor's language choice."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from schoolportal.auth.forms import (
    _plain_text,
    check_password_rules,
    new_password_field,
    repeat_password_field,
)


def _language_choices():
    """The interface languages, each named in its own language."""
    return list(current_app.config["LANGUAGES"].items())


class SettingsForm(FlaskForm):
    """Name shown to others and interface language (notifications have their own screen)."""

    display_name = StringField(
        _l("Your name as others see it"),
        validators=[
            DataRequired(_l("Fill in your name.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
            _plain_text,
        ],
        render_kw={"autocomplete": "name"},
    )
    language = RadioField(_l("Language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        """Fill the language choices from the configuration."""
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()


class PhotoForm(FlaskForm):
    """A new profile photo; the image module decides by content whether it is one."""

    photo = FileField(
        _l("New photo"), validators=[FileRequired(_l("Choose a photo."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class RemovePhotoForm(FlaskForm):
    """Only the CSRF token: removing the photo needs nothing else."""


class PasswordForm(FlaskForm):
    """The current password, and a new one typed twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Fill in your current password.")),
            Length(max=1024, message=_l("This password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"), _l("Fill in a new password."))
    repeat_password = repeat_password_field(
        _l("New password again"), _l("Fill in the new password again."), "new_password",
        _l("The two new passwords are not the same."))

    def validate_new_password(self, field):
        """The rules for a new password, and it must differ from the current one."""
        check_password_rules(field.data, current_user.email)
        if field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password that differs from your current one."))


class LanguageForm(FlaskForm):
    """The language switch for visitors who are not logged in."""

    language = RadioField(_l("Language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        """Fill the language choices from the configuration."""
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()
