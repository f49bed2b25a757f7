"""A user's own profile: name, language, mail choice, photo, password, how others see you."""

import io
from pathlib import Path

import pytest
from PIL import Image

from schoolportal.core.extensions import db
from schoolportal.core.models import AuthSession, LoginAttempt, User
from tests.support.images import HOSTILE, assert_no_metadata, encoded, phone_photo, png_declaring
from tests.support.web import (
    ADMIN,
    DEMO_PASSWORD,
    OTHER_PARENT,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
    login,
    run_worker,
)


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


# --- profile: mail choice and how others see you ---------------------------------------

def test_notification_choices_moved_to_their_own_screen(app, parent):
    # The single mail choice became Mijn account > Meldingen (issue 17): a link, no radios.
    html = parent.get("/account").get_data(as_text=True)
    assert 'href="/account/notifications"' in html and "mail_notifications" not in html
    response = parent.post("/account", data={
        "display_name": "Eva Jansen", "language": "nl", "mail_notifications": "never",
        "csrf_token": _settings_token(parent)})
    assert response.status_code == 302
    assert _user(app).mail_notifications == "immediately"  # the old field is no longer set here


@pytest.mark.parametrize("fixture,name,initials,role", [
    ("parent", "Eva Jansen", "EJ", "ouder/verzorger"),
    ("teacher", "juf Sanne", "S", "leerkracht"),
    ("admin", "Marieke Hoekstra (directie)", "MH", "directie/administratie"),
])
def test_profile_shows_how_others_see_you(request, fixture, name, initials, role):
    html = request.getfixturevalue(fixture).get("/account").get_data(as_text=True)
    assert "Zo zien anderen je" in html
    assert f'<span class="author__initials">{initials}</span>' in html
    assert f'<span class="author__name">{name}</span>' in html and role in html


def test_a_name_full_of_markup_is_shown_as_text(app, parent):
    parent.post("/account", data={
        "display_name": "<img src=x> Ëva 🦄", "language": "nl",
        "csrf_token": _settings_token(parent)})
    html = parent.get("/account").get_data(as_text=True)
    assert "&lt;img src=x&gt; Ëva 🦄" in html and "<img src=x>" not in html
    assert '<span class="author__initials">Ë</span>' in html


# --- profile photo: upload, serve, remove ----------------------------------------------

def _photo_ids(app, *emails):
    """Account ids of demo users."""
    with app.app_context(), db.connection_context():
        return [User.by_email(e).id for e in emails]


def _upload(client, data, filename="foto.jpg", content_type="image/jpeg", headers=None):
    """POST a file to the photo form with a token read from the profile page."""
    token = _settings_token(client)
    return client.post("/account/photo", data={
        "photo": (io.BytesIO(data), filename, content_type), "csrf_token": token,
    }, content_type="multipart/form-data", headers=headers or {})


def _stored_files(app):
    """The file names in MEDIA_ROOT/profiles."""
    folder = Path(app.config["MEDIA_ROOT"]) / "profiles"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_uploading_a_photo_shows_it_on_the_profile(app, parent):
    response = _upload(parent, phone_photo())
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    html = parent.get("/account").get_data(as_text=True)
    assert "Je foto is opgeslagen." in html
    photo = _user(app).photo
    [user_id] = _photo_ids(app, PARENT)
    assert f"/account/photos/{user_id}/256?v={photo[:8]}" in html  # the profile picture
    assert f"/account/photos/{user_id}/64?v={photo[:8]}" in html  # the author preview
    assert "Foto verwijderen" in html
    assert _stored_files(app) == [f"{photo}-256.webp", f"{photo}-64.webp"]


def test_the_served_photo_has_no_gps_is_upright_and_private(app, parent):
    _upload(parent, phone_photo(orientation=6, size=(400, 200)))
    [user_id] = _photo_ids(app, PARENT)
    response = parent.get(f"/account/photos/{user_id}/256")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["Cache-Control"] == "private, max-age=3600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert_no_metadata(response.data)
    image = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert image.size == (256, 256)
    # Orientation 6: the red left half of the stored picture is the top once upright.
    assert image.getpixel((128, 10))[0] > 200 and image.getpixel((128, 245))[2] > 200


def test_a_new_photo_replaces_the_old_files(app, parent):
    _upload(parent, phone_photo())
    first = _user(app).photo
    _upload(parent, encoded(Image.new("RGB", (80, 80), "green"), "PNG"), "x.png", "image/png")
    second = _user(app).photo
    assert first != second
    assert _stored_files(app) == [f"{second}-256.webp", f"{second}-64.webp"]


def test_removing_the_photo_deletes_its_files(app, parent):
    _upload(parent, phone_photo())
    [user_id] = _photo_ids(app, PARENT)
    response = parent.post("/account/photo/remove", data={"csrf_token": _settings_token(parent)})
    assert response.status_code == 302
    assert "Je foto is verwijderd." in parent.get("/account").get_data(as_text=True)
    assert _user(app).photo is None and _stored_files(app) == []
    assert parent.get(f"/account/photos/{user_id}/64").status_code == 404


def test_removing_without_csrf_changes_nothing(app, parent):
    _upload(parent, phone_photo())
    assert parent.post("/account/photo/remove").status_code == 400
    assert _user(app).photo is not None and len(_stored_files(app)) == 2


NOT_A_PHOTO = "JPEG-, PNG- of WebP"
HOSTILE_UPLOADS = {
    "text named .jpg": (HOSTILE["text named .jpg"], "foto.jpg", "image/jpeg", NOT_A_PHOTO),
    "truncated JPEG": (HOSTILE["truncated JPEG"], "foto.jpg", "image/jpeg", NOT_A_PHOTO),
    "bomb PNG": (png_declaring(100_000, 100_000), "foto.png", "image/png", "te veel pixels"),
    "GIF": (HOSTILE["GIF"], "foto.gif", "image/gif", NOT_A_PHOTO),
    "PDF named .png": (HOSTILE["PDF"], "foto.png", "image/png", NOT_A_PHOTO),
    "SVG": (HOSTILE["SVG"], "foto.svg", "image/svg+xml", NOT_A_PHOTO),
    "empty": (b"", "foto.jpg", "image/jpeg", "Dit bestand is leeg"),
    "11 MB": (b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024), "foto.jpg", "image/jpeg",
              "groter dan 10 MB"),
    "no file name": (phone_photo(), "", "image/jpeg", "Kies een foto."),
    "unicode name": (b"GIF89a\x01\x00", "😀‮gpj.exe", "image/jpeg", NOT_A_PHOTO),
}


@pytest.mark.parametrize("case", list(HOSTILE_UPLOADS))
def test_hostile_uploads_get_422_and_change_nothing(app, parent, case):
    _upload(parent, phone_photo())
    kept, files = _user(app).photo, _stored_files(app)
    data, filename, content_type, message = HOSTILE_UPLOADS[case]
    response = _upload(parent, data, filename, content_type)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, case
    assert message in html, case
    assert 'id="account-photo"' in html and "<html" in html
    assert _user(app).photo == kept and _stored_files(app) == files


def test_an_upload_without_a_file_field_is_refused(app, parent):
    response = parent.post("/account/photo", data={"csrf_token": _settings_token(parent)})
    assert response.status_code == 422 and "Kies een foto." in response.get_data(as_text=True)


def test_a_refused_upload_with_htmx_gets_the_photo_fragment(app, parent):
    response = _upload(parent, HOSTILE["GIF"], headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert html.lstrip().startswith('<div id="account-photo"') and "JPEG-, PNG- of WebP" in html


def test_an_upload_without_csrf_changes_nothing(app, parent):
    response = parent.post("/account/photo", data={
        "photo": (io.BytesIO(phone_photo()), "foto.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _user(app).photo is None and _stored_files(app) == []


def test_a_request_too_large_for_the_server_is_refused_calmly(app, parent):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = _upload(parent, b"\xff\xd8" + b"\0" * (2 * 1024 * 1024))
    assert response.status_code == 413 and "Te groot" in response.get_data(as_text=True)
    assert _user(app).photo is None


# Who may see whose photo, through the URL (the rule itself: test_profile_photos.py).
def _everyone_uploads(app, login_as, emails):
    """Give each account a photo; returns their ids."""
    for email in emails:
        assert _upload(login_as(email), phone_photo()).status_code == 302
    return _photo_ids(app, *emails)


def test_photos_are_served_only_to_those_who_may_see_them(app, login_as):
    jansen, bakker, elmansouri, sanne = _everyone_uploads(
        app, login_as, [PARENT, OTHER_PARENT, TWO_GROUP_PARENT, TEACHER])
    visible = {
        PARENT: [jansen, elmansouri, sanne],
        OTHER_PARENT: [bakker, elmansouri, sanne],
        # Staff see a parent's photo only when they teach one of that parent's children.
        TEACHER: [jansen, elmansouri, sanne],
        OTHER_TEACHER: [bakker, elmansouri, sanne],
        ADMIN: [jansen, bakker, elmansouri, sanne],
    }
    everyone = [jansen, bakker, elmansouri, sanne]
    for email, allowed in visible.items():
        client = login_as(email)
        for user_id in everyone:
            for size in (64, 256):
                status = client.get(f"/account/photos/{user_id}/{size}").status_code
                assert status == (200 if user_id in allowed else 404), (email, user_id, size)


@pytest.mark.parametrize("url", [
    "/account/photos/999999/64", "/account/photos/0/64", "/account/photos/{id}/128",
    "/account/photos/{id}/65", "/account/photos/{id}/x", "/account/photos/{id}/../../etc/passwd",
    "/account/photos/{id}/64.webp",
])
def test_guessed_photo_urls_give_404(app, parent, url):
    _upload(parent, phone_photo())
    [user_id] = _photo_ids(app, PARENT)
    assert parent.get(url.format(id=user_id)).status_code == 404


def test_an_account_without_a_photo_gives_404(app, other_parent):
    [user_id] = _photo_ids(app, TEACHER)
    assert other_parent.get(f"/account/photos/{user_id}/64").status_code == 404


def test_logged_out_visitors_get_no_photo_and_no_account_pages(app, parent, client):
    _upload(parent, phone_photo())
    [user_id] = _photo_ids(app, PARENT)
    for url in (f"/account/photos/{user_id}/64", "/account", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for url in ("/account/photo", "/account/photo/remove", "/account/password"):
        assert client.post(url).status_code in (400, 401)
    assert _user(app).photo is not None


# --- password change ------------------------------------------------------------------

NEW_PASSWORD = "fietsen naar de bieb"


def _password_token(client):
    return csrf_token_from(client.get("/account/password").get_data(as_text=True))


def _change(client, current=DEMO_PASSWORD, new=NEW_PASSWORD, repeat=None, headers=None):
    """POST the password form with a fresh token."""
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "repeat_password": new if repeat is None else repeat,
        "csrf_token": _password_token(client)}, headers=headers or {})


def _password_hash(app, email=PARENT):
    with app.app_context(), db.connection_context():
        return User.by_email(email).password_hash


def test_password_page_full_and_as_fragment(parent):
    page = parent.get("/account/password")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "Wachtwoord wijzigen" in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    fragment = parent.get("/account/password", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.lstrip().startswith('<form id="account-password"')


def test_changing_the_password_keeps_this_session_ends_others_and_mails(
        app, parent, login_as, smtp_server):
    phone = login_as(PARENT)  # the same person on another device
    response = _change(parent)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    html = parent.get("/account").get_data(as_text=True)
    assert "Je wachtwoord is gewijzigd." in html  # still logged in here
    assert phone.get("/account").status_code == 302  # logged out there
    with app.app_context(), db.connection_context():
        assert AuthSession.select().join(User).where(User.email == PARENT).count() == 1
    assert login(app.test_client(), PARENT).status_code == 422
    assert login(app.test_client(), PARENT, NEW_PASSWORD).status_code == 302
    run_worker(app)
    [mail] = smtp_server.to(PARENT)
    assert mail["Subject"] == "Je wachtwoord is gewijzigd"
    text = mail.get_body(("plain",)).get_content()
    assert "Hallo Eva Jansen," in text and "is gewijzigd op" in text
    assert "Heb je dit niet gedaan?" in text and NEW_PASSWORD not in text


def test_other_users_sessions_survive_a_password_change(app, parent, other_parent):
    assert _change(parent).status_code == 302
    assert other_parent.get("/account").status_code == 200


@pytest.mark.parametrize("current,new,repeat,message", [
    ("", NEW_PASSWORD, NEW_PASSWORD, "Vul je huidige wachtwoord in."),
    (DEMO_PASSWORD, "", "", "Vul een nieuw wachtwoord in."),
    (DEMO_PASSWORD, NEW_PASSWORD, "fietsen naar de markt", "niet hetzelfde"),
    (DEMO_PASSWORD, "kort", "kort", "Gebruik minstens 12 tekens."),
    (DEMO_PASSWORD, "wachtwoord123", "wachtwoord123", "te makkelijk te raden"),
    (DEMO_PASSWORD, "ouder.jansen rules", "ouder.jansen rules", "e-mailadres"),
    (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, "Kies een ander wachtwoord dan je huidige."),
    (DEMO_PASSWORD, "x" * 10_000, "x" * 10_000, "te lang"),
    ("x" * 10_000, NEW_PASSWORD, NEW_PASSWORD, "te lang"),
])
def test_bad_password_changes_get_a_message_and_change_nothing(
        app, parent, current, new, repeat, message):
    before = _password_hash(app)
    response = _change(parent, current, new, repeat)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _password_hash(app) == before


def test_a_wrong_current_password_is_counted_and_changes_nothing(app, parent):
    before = _password_hash(app)
    response = _change(parent, current="niet mijn wachtwoord")
    assert response.status_code == 422
    assert "Dit is niet je huidige wachtwoord." in response.get_data(as_text=True)
    assert _password_hash(app) == before
    with app.app_context(), db.connection_context():
        assert LoginAttempt.select().where(LoginAttempt.email == PARENT).count() == 1


def test_guessing_the_current_password_is_throttled(app, parent):
    for attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert _change(parent, current=f"gok nummer {attempt}").status_code == 422
    # Now even the right password must wait: the page cannot be used to keep guessing.
    response = _change(parent)
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)
    before = _password_hash(app)
    assert _change(parent).status_code == 429 and _password_hash(app) == before
    assert login(app.test_client(), PARENT).status_code == 429  # the login page counts them too


def test_a_failed_login_elsewhere_counts_for_the_password_page_too(app, parent):
    for attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        login(app.test_client(), PARENT, f"gok nummer {attempt}")
    assert _change(parent).status_code == 429


def test_htmx_invalid_password_change_gets_the_form_fragment(parent):
    response = _change(parent, current="", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert html.lstrip().startswith('<form id="account-password"')


def test_password_change_without_csrf_changes_nothing(app, parent):
    before = _password_hash(app)
    response = parent.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD,
        "repeat_password": NEW_PASSWORD})
    assert response.status_code == 400 and _password_hash(app) == before
