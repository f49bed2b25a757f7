"""The login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from schoolportal.auth import passwords


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
        render_kw={"autocomplete": "username webauthn", "inputmode": "email",
                   "autocapitalize": "none"},
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


class CodeForm(FlaskForm):
    """The six digits an authenticator app shows."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Fill in the code from your app.")),
                    Length(max=20, message=_l("Fill in the six digits from your app."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "autocapitalize": "none", "spellcheck": "false"},
    )


class RecoveryCodeForm(FlaskForm):
    """One of the ten recovery codes."""

    recovery_code = StringField(
        _l("Recovery code"),
        validators=[DataRequired(_l("Fill in one of your recovery codes.")),
                    Length(max=40, message=_l("A recovery code looks like abcde-fghjk."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a button that needs nothing else."""
