"""Dutch first, English too; every interface string translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.support.web import csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "schoolportal" / "translations"


def test_dutch_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Wachtwoord" in html


def test_visitor_can_switch_to_english_and_back(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "en", "csrf_token": token})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Password" in html
    token = csrf_token_from(html)
    client.post("/language", data={"language": "nl", "csrf_token": token})
    assert "Wachtwoord" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "xx", "csrf_token": token})
    assert '<html lang="nl">' in client.get("/login").get_data(as_text=True)


def test_every_interface_string_has_a_dutch_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy
                  and (all(m.string) if isinstance(m.string, tuple) else True)}
    missing = sorted(str(m) for m in wanted - translated)
    assert missing == [], f"strings without Dutch text (run make extract-messages): {missing}"


def test_compiled_catalog_is_used(client):
    # A translated string shows in Dutch: the .mo file was compiled by the build.
    assert "Inloggen" in client.get("/login").get_data(as_text=True)


def test_templates_follow_a_forced_locale_and_come_back(app):
    """Templates look their translations up once per request and locale (i18n.
    current_translations): a mail in another language inside a request (force_locale)
    still gets its own language, and the page after it Dutch again."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    template = "{{ _('Choose a time.') }} {{ ngettext('%(num)d photo', '%(num)d photos', 2) }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Kies een tijd. 2 foto's"
        with force_locale("en"):
            assert render_template_string(template) == "Choose a time. 2 photos"
        assert render_template_string(template) == "Kies een tijd. 2 foto's"
        app.config["BABEL_DEFAULT_LOCALE"], default = "en", app.config["BABEL_DEFAULT_LOCALE"]
        try:
            refresh()  # the locale chosen again (as after a user changes their language)
            assert render_template_string(template) == "Choose a time. 2 photos"
        finally:
            app.config["BABEL_DEFAULT_LOCALE"] = default
