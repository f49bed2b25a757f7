"""The interface language: the user's choice, remembered; Dutch by default."""

from flask import after_this_request, current_app, g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from flask_login import current_user

# A visitor's choice lives in a cookie of its own, not in the session: the login page also
# writes the session (the passkey challenge) at the same moment, and whichever of two
# concurrent responses comes last would otherwise undo the language switch. The choice
# also outlives a logout on that device, as a visitor expects.
COOKIE_NAME = "schoolportal_language"
COOKIE_SECONDS = 365 * 24 * 3600


def select_locale():
    """The language to show: the user's setting, the visitor's choice, or Dutch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get(COOKIE_NAME)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_translations():
    """flask_babel.get_translations(), looked up once per request and locale.

    Flask-Babel looks the translations up anew for every string (its request state four
    times, and the locale's name rebuilt as a key): a page with 70 strings paid for that
    70 times. The found translations are kept with the locale object they belong to;
    force_locale (a mail in the recipient's language) and refresh() set another locale
    object, so they are looked up again then.
    """
    context = _cv_app.get(None)  # the app context itself, not through `g`'s proxy
    state = getattr(context.g, "_flask_babel", None) if context is not None else None
    if state is not None:
        kept = getattr(state, "schoolportal_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
    found = get_translations()
    state = getattr(g, "_flask_babel", None) if g else None
    if state is not None:
        state.schoolportal_translations = (get_locale(), found)
    return found


def install_template_gettext(app):
    """Templates translate through current_translations (as Flask-Babel's own callables
    do through get_translations)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )


_FORM_TRANSLATIONS = {}  # locale name -> WTForms' own messages in that language


def _form_translations():
    """WTForms' messages ("Dit veld is verplicht.") in the request's language, read from
    disk once per locale and process (Flask-WTF reads and parses the catalogue again for
    every request that makes a form)."""
    from babel import support
    from wtforms.i18n import messages_path

    if not has_request_context():
        return None
    locale = get_locale()
    name = str(locale)
    if name not in _FORM_TRANSLATIONS:
        _FORM_TRANSLATIONS[name] = support.Translations.load(
            messages_path(), [locale], domain="wtforms")
    return _FORM_TRANSLATIONS[name]


def install_form_translations():
    """Flask-WTF's translations of WTForms' messages come from _form_translations."""
    import flask_wtf.i18n

    flask_wtf.i18n._get_translations = _form_translations


def remember_choice(language):
    """Keep a visitor's language choice on this device (a cookie set with the response)."""
    if language not in current_app.config["LANGUAGES"]:
        return

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE_NAME, language, max_age=COOKIE_SECONDS, httponly=True, samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response


def is_known_language(language):
    """True for a language the interface is translated into."""
    return language in current_app.config["LANGUAGES"]


# The one set of date formats of the whole interface (Babel patterns, shown in
# Europe/Amsterdam; the database holds UTC). Templates use them as filters, Python code as
# `formatted(value, name)`: "vrijdag 4 december 2026", "4 dec 2026, 20:19", never "04-12-2026"
# in one place and "12/4/26, 8:24 PM" in another.
DATE_FORMATS = {
    "date_long": "EEEE d MMMM y",  # vrijdag 4 december 2026
    "date_short": "d MMM y",  # 4 dec 2026
    "day_short": "EEE d MMM",  # vr 4 dec (lists where the year is plain)
    "datetime_long": "EEEE d MMMM y, HH:mm",  # vrijdag 4 december 2026, 20:19
    "datetime_short": "d MMM y, HH:mm",  # 4 dec 2026, 20:19
    "time_short": "HH:mm",  # 20:19
    "month_year": "LLLL y",  # december 2026
}
_TIMED = {"datetime_long", "datetime_short", "time_short"}


_FORMATTED = {}  # (value, its type, format, language, time zone) -> the text
FORMATTED_MAX = 20_000


def formatted(value, name):
    """A date, datetime (naive UTC) or time in one of DATE_FORMATS, in the user's language.

    Babel takes a tenth of a millisecond per value; a page shows the same dates often, so
    each text is kept under everything it depends on: the value, the format, the language
    and the time zone."""
    from flask_babel import get_timezone

    if value is None:
        return ""
    key = (value, type(value), name, str(get_locale()), str(get_timezone()))
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= FORMATTED_MAX:
            _FORMATTED.clear()
        text = _FORMATTED[key] = _format(value, name)
    return text


def _format(value, name):
    from datetime import date, datetime, time

    from flask_babel import format_date, format_datetime, format_time

    pattern = DATE_FORMATS[name]
    if isinstance(value, time):
        return format_time(value, pattern, rebase=False)
    if isinstance(value, datetime):
        if name in _TIMED:
            return format_datetime(value, pattern)
        return format_date(value, pattern)  # the day in Amsterdam, not in UTC
    if isinstance(value, date):
        return format_date(value, pattern)
    return str(value)


def register_date_filters(app):
    """Make every DATE_FORMATS name a template filter: {{ post.published_at|datetime_short }}."""
    for name in DATE_FORMATS:
        app.add_template_filter(lambda value, _name=name: formatted(value, _name), name)
