"""Forms for inviting a guardian, activating an account and choosing a new password."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from schoolportal.auth import passwords
from schoolportal.auth.forms import (
    _plain_text,
    check_password_rules,
    new_password_field,
    repeat_password_field,
)

# Addresses mail servers deliver without SMTPUTF8: ASCII, one @, a domain with a dot.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _email_address(form, field):
    """Refuse what cannot be an email address, with an example of one that can."""
    if not _EMAIL.fullmatch((field.data or "").strip()):
        raise ValidationError(_l("Fill in a valid email address, like name@example.org."))


def _email_field(label):
    """An email address field with the checks every form here needs."""
    return EmailField(
        label,
        validators=[
            DataRequired(_l("Fill in an email address.")),
            Length(max=254, message=_l("This email address is too long.")),
            _plain_text,
            _email_address,
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"},
    )


class InviteGuardianForm(FlaskForm):
    """The address of a parent or guardian to invite."""

    email = _email_field(_l("Email address of the parent or guardian"))


class ForgotPasswordForm(FlaskForm):
    """The address to send a link for a new password to."""

    email = _email_field(_l("Your email address"))


class NewPasswordForm(FlaskForm):
    """A new password, typed twice, that meets the password rules."""

    min_length = passwords.MIN_LENGTH  # for the hint next to the field

    password = new_password_field(_l("New password"), _l("Choose a password."))
    password_repeat = repeat_password_field(
        _l("Repeat the new password"), _l("Type the password a second time."), "password",
        _l("The two passwords are not the same."))

    def __init__(self, *args, account_email="", **kwargs):
        """Remember the account's address: a password must not contain it."""
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def validate_password(self, field):
        """Apply the password rules (length, easy to guess, own address)."""
        check_password_rules(field.data, self.account_email)


class ActivationForm(NewPasswordForm):
    """Name, password and language for an invited account."""

    display_name = StringField(
        _l("Your name as others see it"),
        validators=[
            DataRequired(_l("Fill in your name.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
            _plain_text,
        ],
        render_kw={"autocomplete": "name"},
    )
    language = RadioField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])

    def __init__(self, *args, **kwargs):
        """Fill the language choices from the configuration."""
        super().__init__(*args, **kwargs)
        self.language.choices = list(current_app.config["LANGUAGES"].items())
