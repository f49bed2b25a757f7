"""Forms for a user's own settings and the visitor's language choice."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from .auth import _plain_text


def _language_choices():
    """The interface languages, each named in its own language."""
    return list(current_app.config["LANGUAGES"].items())


class SettingsForm(FlaskForm):
    """Name shown to others and interface language."""

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


class LanguageForm(FlaskForm):
    """The language switch for visitors who are not logged in."""

    language = RadioField(_l("Language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        """Fill the language choices from the configuration."""
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()
