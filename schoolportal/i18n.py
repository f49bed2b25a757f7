"""The interface language: the user's choice, remembered; Dutch by default."""

from flask import current_app, has_request_context, session
from flask_login import current_user

SESSION_KEY = "language"


def select_locale():
    """The language to show: the user's setting, the visitor's choice, or Dutch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_choice(language):
    """Keep a visitor's language choice for the rest of the session."""
    if language in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = language


def is_known_language(language):
    """True for a language the interface is translated into."""
    return language in current_app.config["LANGUAGES"]

