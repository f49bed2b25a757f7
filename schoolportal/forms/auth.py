"""The login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .. import passwords


def _plain_text(form, field):
    """Refuse control characters, which no real address or password contains."""
    if any(ord(c) < 32 or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


class LoginForm(FlaskForm):
    """Email address and password."""

    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Fill in your email address.")),
            Length(max=254, message=_l("This email address is too long.")),
            _plain_text,
        ],
        render_kw={"autocomplete": "username", "inputmode": "email", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Fill in your password.")),
            Length(max=1024, message=_l("This password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def new_password_field(label, required_message):
    """A field for a new password (the browser may suggest a strong one)."""
    return PasswordField(
        label,
        validators=[DataRequired(required_message),
                    Length(max=1024, message=_l("This password is too long."))],
        render_kw={"autocomplete": "new-password"},
    )


def repeat_password_field(label, required_message, first_field, mismatch_message):
    """The new password typed a second time; it must equal `first_field`."""
    return PasswordField(
        label,
        validators=[DataRequired(required_message), EqualTo(first_field, mismatch_message)],
        render_kw={"autocomplete": "new-password"},
    )


def check_password_rules(password, account_email):
    """Raise ValidationError listing every password rule the new password breaks."""
    problems = passwords.password_problems(password or "", account_email)
    if problems:
        raise ValidationError(" ".join(str(problem) for problem in problems))
