"""A user's own settings: name and language."""

from schoolportal.extensions import db
from schoolportal.models import User

from .conftest import PARENT, csrf_token_from


def _settings_token(client):
    return csrf_token_from(client.get("/account").get_data(as_text=True))


def _user(app):
    with app.app_context(), db.connection_context():
        return User.by_email(PARENT)


def test_settings_page_shows_name_and_language(parent):
    html = parent.get("/account").get_data(as_text=True)
    assert 'value="Eva Jansen"' in html and "Nederlands" in html and "English" in html


def test_choosing_english_switches_the_interface_and_is_remembered(app, parent):
    response = parent.post("/account", data={
        "display_name": "Eva Jansen", "language": "en", "csrf_token": _settings_token(parent)})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your settings have been saved." in parent.get("/account").get_data(as_text=True)
    html = parent.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Your children" in html
    assert _user(app).language == "en"


def test_settings_fragment_for_htmx(parent):
    fragment = parent.get("/account", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="account-settings"' in fragment


def test_bad_settings_get_a_message_and_change_nothing(app, parent):
    cases = [
        ({"display_name": "", "language": "nl"}, "Vul je naam in."),
        ({"display_name": "x" * 10_000, "language": "nl"}, "Gebruik hoogstens 100 tekens."),
        ({"display_name": "Eva", "language": "klingon"}, "geldige keuze"),
        ({"display_name": "Eva\x07", "language": "nl"}, "niet toegestaan"),
    ]
    for data, message in cases:
        data["csrf_token"] = _settings_token(parent)
        response = parent.post("/account", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    user = _user(app)
    assert (user.display_name, user.language) == ("Eva Jansen", "nl")


def test_settings_without_csrf_change_nothing(app, parent):
    response = parent.post("/account", data={"display_name": "Hacked", "language": "en"})
    assert response.status_code == 400
    assert _user(app).display_name == "Eva Jansen"


def test_htmx_invalid_settings_fragment_has_status_422(parent):
    token = _settings_token(parent)
    response = parent.post("/account", data={"display_name": "", "language": "nl"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 422 and "<html" not in response.get_data(as_text=True)
