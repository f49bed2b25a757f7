"""The login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, ValidationError


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
