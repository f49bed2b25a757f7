"""Logging in and out: the real form, CSRF, throttling, sessions, bad input."""

import re
from datetime import timedelta

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import AuthSession, LoginAttempt, OutboxMail, User, utcnow
from tests.support.web import DEMO_PASSWORD, PARENT, TEACHER, csrf_token_from, login

WRONG_LOGIN = "Dit e-mailadres en wachtwoord horen niet bij elkaar."


def _count(app, model):
    """How many rows a table holds."""
    with app.app_context(), db.connection_context():
        return model.select().count()


def _post_login(client, **data):
    """POST the login form with a fresh token unless the test sets one."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data.setdefault("csrf_token", token)
    return client.post("/login", data=data)


def test_login_page_is_a_plain_form_in_dutch(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="email"' in html and 'name="password"' in html
    assert 'method="post"' in html and 'name="csrf_token"' in html
    assert '<html lang="nl">' in html and "Inloggen" in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/")


def test_login_lands_on_home_with_hardened_cookie(client):
    response = login(client, PARENT)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Eva Jansen" in client.get("/").get_data(as_text=True)


def test_login_accepts_email_in_any_case(client):
    assert login(client, "  Ouder.Jansen@EXAMPLE.org ").status_code == 302


def test_login_starts_a_fresh_session(app, client):
    client.get("/login")
    before = client.get_cookie("schoolportal_session").value
    login(client, PARENT)
    after = client.get_cookie("schoolportal_session").value
    assert before != after
    with app.app_context(), db.connection_context():
        assert AuthSession.select().count() == 1


def test_logout_ends_the_session_on_the_server(app, client):
    login(client, PARENT)
    stolen = client.get_cookie("schoolportal_session").value
    home = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(home)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _count(app, AuthSession) == 0
    replay = app.test_client()
    replay.set_cookie("schoolportal_session", stolen)
    assert replay.get("/").status_code == 302  # the copied cookie no longer works


def test_logout_is_not_possible_with_get(parent):
    assert parent.get("/logout").status_code == 405


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    unknown = _post_login(client, email="niemand@example.org", password="x" * 12)
    wrong = _post_login(client, email=PARENT, password="fout-wachtwoord")
    assert unknown.status_code == wrong.status_code == 422
    assert WRONG_LOGIN in unknown.get_data(as_text=True)
    assert WRONG_LOGIN in wrong.get_data(as_text=True)


def test_uninvited_or_deactivated_accounts_cannot_log_in(app, client):
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.email == PARENT).execute()
    response = login(client, PARENT)
    assert response.status_code == 422 and WRONG_LOGIN in response.get_data(as_text=True)


def test_deactivation_ends_existing_sessions(app, parent):
    assert parent.get("/").status_code == 200
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.email == PARENT).execute()
    assert parent.get("/").status_code == 302


def test_idle_session_expires(app, parent):
    with app.app_context(), db.connection_context():
        idle = app.config["SESSION_IDLE_MINUTES"] + 1
        AuthSession.update(last_seen_at=utcnow() - timedelta(minutes=idle)).execute()
    response = parent.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_has_an_absolute_lifetime(app, parent):
    with app.app_context(), db.connection_context():
        age = timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
        AuthSession.update(created_at=utcnow() - age).execute()
    assert parent.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id(app):
    with app.app_context(), db.connection_context():
        assert User.by_email(PARENT).password_hash.startswith("$argon2id$")


def test_weak_hash_is_upgraded_at_login(app, client):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(DEMO_PASSWORD)
    with app.app_context(), db.connection_context():
        User.update(password_hash=weak).where(User.email == PARENT).execute()
    assert login(client, PARENT).status_code == 302
    with app.app_context(), db.connection_context():
        assert User.by_email(PARENT).password_hash != weak


def test_repeated_failures_throttle_the_account(app, client):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert _post_login(client, email=PARENT, password="fout-wachtwoord").status_code == 422
    blocked = login(client, PARENT)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Te veel mislukte pogingen" in blocked.get_data(as_text=True)
    assert login(client, TEACHER).status_code == 302  # other accounts are not affected


def test_throttle_treats_unknown_addresses_like_known_ones(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _post_login(client, email="niemand@example.org", password="fout-wachtwoord")
    blocked = _post_login(client, email="niemand@example.org", password="fout-wachtwoord")
    assert blocked.status_code == 429


def _login_from(app, address, email=PARENT, password=None):
    """Log in with a fresh client from another network address (REMOTE_ADDR)."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    if password is None:
        return login(other, email)
    return login(other, email, password)


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _post_login(client, email=PARENT, password="fout-wachtwoord")
    assert login(client, PARENT).status_code == 429  # this address waits for this account
    assert _login_from(app, "198.51.100.7").status_code == 302  # the parent at home does not


def test_one_busy_address_never_refuses_an_account_without_failures(app, client):
    # A whole school behind one NAT address: someone there fails 30 times on other accounts.
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    for n in range(6):
        _post_login(client, email=f"raden{n}@example.org", password="fout-wachtwoord")
    assert login(app.test_client(), PARENT).status_code == 302  # no failures of its own
    assert login(app.test_client(), TEACHER).status_code == 302


def test_a_busy_address_gets_one_guess_per_account(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    for n in range(6):
        _post_login(client, email=f"raden{n}@example.org", password="fout-wachtwoord")
    assert _post_login(client, email=PARENT, password="fout-wachtwoord").status_code == 422
    assert login(client, PARENT).status_code == 429  # now it has a failure of its own
    assert _login_from(app, "198.51.100.8").status_code == 302  # not from elsewhere


def test_many_addresses_together_lock_the_account_until_a_reset(app, client):
    from schoolportal.onboarding import password_reset

    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE"] = 6
    for n in range(6):
        response = _login_from(app, f"198.51.100.{n + 10}", password="fout-wachtwoord")
        assert response.status_code == 422
    assert _login_from(app, "198.51.100.99").status_code == 429  # everywhere
    with app.app_context(), db.connection_context():
        password_reset.request_link(PARENT, "198.51.100.99")
        mail = OutboxMail.select().order_by(OutboxMail.id.desc()).get()
        token = re.search(r"/password/reset/(\S+)", mail.body_text).group(1)
        assert password_reset.reset_password(token, "een nieuw lang wachtwoord") is not None
    assert _login_from(app, "198.51.100.99", password="een nieuw lang wachtwoord"
                       ).status_code == 302  # the reset cleared the lock


def test_failures_expire_after_the_window(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _post_login(client, email=PARENT, password="fout-wachtwoord")
    with app.app_context(), db.connection_context():
        old = utcnow() - timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"] + 1)
        LoginAttempt.update(created_at=old).execute()
    assert login(client, PARENT).status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "", "Vul je e-mailadres in."),
        (PARENT, "", "Vul je wachtwoord in."),
        ("a" * 10_000 + "@example.org", "x" * 12, "Dit e-mailadres is te lang."),
        (PARENT, "x" * 10_000, "Dit wachtwoord is te lang."),
        ("ouder\x00@example.org", "x" * 12, "niet toegestaan"),
        ("ïñtërnâtiônàl@éxample.org", "wachtwoord 🔑 ✓ עברית", WRONG_LOGIN),
        ("' OR 1=1 --", "' OR '1'='1", WRONG_LOGIN),
        ("admin@example.org'; DROP TABLE account; --", "x'); --", WRONG_LOGIN),
    ],
)
def test_bad_input_gets_a_clear_message(app, client, email, password, message):
    response = _post_login(client, email=email, password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app, User) > 0  # the table is still there
    assert _count(app, AuthSession) == 0


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 10_000])
def test_login_without_valid_csrf_token_changes_nothing(app, client, token):
    data = {"email": PARENT, "password": DEMO_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    client.get("/login")
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "Dit formulier is verlopen" in response.get_data(as_text=True)
    assert _count(app, AuthSession) == 0 and _count(app, LoginAttempt) == 0
    assert client.get("/").status_code == 302  # still not logged in


def _logout(client):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})


def test_next_only_leads_to_this_site(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"email": PARENT, "password": DEMO_PASSWORD, "csrf_token": token}
    inside = client.post("/login?next=/account", data=data)
    assert inside.headers["Location"] == "/account"
    _logout(client)
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example"):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        data["csrf_token"] = token
        response = client.post(f"/login?next={evil}", data=data)
        assert response.headers["Location"] == "/"
        _logout(client)


def test_login_form_as_fragment_for_htmx(client):
    full = client.get("/login")
    fragment = client.get("/login", headers={"HX-Request": "true"})
    boosted = client.get("/login", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="auth-login"' in fragment.get_data(as_text=True)
    assert "<html" in boosted.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_failed_htmx_login_returns_the_form_fragment_with_422(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": PARENT, "password": "fout-wachtwoord"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and WRONG_LOGIN in html


def test_logged_in_user_visiting_login_goes_home(parent):
    response = parent.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_purge_removes_expired_sessions_and_old_failures(app, parent):
    with app.app_context(), db.connection_context():
        LoginAttempt.create(email="x@example.org", ip="127.0.0.1",
                            created_at=utcnow() - timedelta(days=1))
        AuthSession.update(last_seen_at=utcnow() - timedelta(days=1)).execute()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "1 expired sessions" in result.output
    assert _count(app, AuthSession) == 0 and _count(app, LoginAttempt) == 0


def test_a_language_switch_survives_a_concurrent_session_write(client):
    """The login page asks for a passkey challenge (a session write) while the visitor may
    switch language; the slower of the two responses must not undo the switch."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    session_before = client.get_cookie("schoolportal_session").value
    switched = client.post("/language", data={"language": "en", "csrf_token": token})
    assert switched.status_code == 302
    # The challenge response, computed from the session as it was, lands after the switch.
    client.set_cookie("schoolportal_session", session_before)
    assert '<html lang="en"' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"language": "nl", "csrf_token": token})
    assert '<html lang="nl"' in client.get("/login").get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "xx", "csrf_token": token})
    assert client.get_cookie("schoolportal_language") is None
    assert '<html lang="nl"' in client.get("/login").get_data(as_text=True)
