"""Pieces of a page rendered once for the same values: the menu and the tab bar.

Every page shows the menu (a side bar, "Meer" on phones) and the phone's tab bar. They are
the same for everyone who has the same menu items, groups, badges and language, on the same
page, and cost a third of a small page's rendering. `render_kept(name, **values)` renders
the template with only these values and keeps the HTML under a key made of the template,
the language and the values themselves, so the same values give the same HTML, whoever asks.

Nothing else goes into the key, so a kept template may use nothing else: not `user`,
`request`, `g`, the clock or a CSRF token; only its values, `url_for` (the same path for
the same arguments) and the translations (of the language in the key).
"""

from flask import current_app
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from markupsafe import Markup

KEPT_MAX = 5_000  # pieces per app; then the store starts again


def render_kept(name, **values):
    """The template `name` rendered with `values` (kept per app, template, language and
    values: a template changed on disk in development is a new template)."""
    template = current_app.jinja_env.get_template(name)
    kept = current_app.extensions.setdefault("schoolportal.fragments", {})
    key = (template, str(get_locale()), _frozen(values))
    html = kept.get(key)
    if html is None:
        # A template's output, escaped by the template as it was rendered.
        html = Markup(template.render(values))  # noqa: S704
        if len(kept) >= KEPT_MAX:
            kept.clear()
        kept[key] = html
    return html


def _frozen(value):
    """The value as a key: dicts (in their order) and lists become tuples; text goes in as
    itself, every other value with its type (1 and True are equal keys but show
    differently), a lazy translation as its message (the language is in the key), anything
    else as its text."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return tuple([(name, _frozen(item)) for name, item in value.items()])
    if kind is list or kind is tuple:
        return tuple([_frozen(item) for item in value])
    if value is None or kind is bool or kind is int:
        return (kind, value)
    if isinstance(value, LazyString):
        return (LazyString, value._func, value._args, _frozen(value._kwargs))
    return (kind, str(value))
