"""Forgotten passwords (the domain, without HTTP): one link per request, used once, throttled."""

import re
from datetime import timedelta

import pytest

from schoolportal.auth import passwords
from schoolportal.core import sessions
from schoolportal.core.models import AuthSession, LoginAttempt, OutboxMail, User, utcnow
from schoolportal.onboarding import password_reset
from schoolportal.onboarding.models import PasswordReset
from tests.support.web import OTHER_PARENT, PARENT, run_worker

IP = "192.0.2.7"
NEW_PASSWORD = "een heel nieuw wachtwoord"


def _mails():
    """The queued mails, oldest first."""
    return list(OutboxMail.select().order_by(OutboxMail.id))


def _token_in(mail):
    """The reset token in a mail's link."""
    return re.search(r"/password/reset/([A-Za-z0-9_-]+)", mail.body_text).group(1)


def test_an_active_account_gets_a_link_valid_for_an_hour(db_ctx):
    reset = password_reset.request_link(" Ouder.Jansen@Example.org", IP)
    assert reset.user.email == PARENT
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    [mail] = _mails()
    assert mail.to_email == PARENT and mail.template == "onboarding/password_reset"
    assert "60 minuten geldig" in mail.body_text
    assert password_reset.find_usable(_token_in(mail)).id == reset.id


def test_the_link_arrives_over_smtp(app, db_ctx, smtp_server):
    password_reset.request_link(PARENT, IP)
    run_worker(app)
    [message] = smtp_server.to(PARENT)
    assert "nieuw wachtwoord" in message["Subject"]
    assert re.search(r"http://127\.0\.0\.1:5000/password/reset/[\w-]{43}",
                     message.get_body(("plain",)).get_content())


@pytest.mark.parametrize("email", ["niemand@example.org", "not-activated", "deactivated"])
def test_no_mail_without_an_active_activated_account(db_ctx, email):
    if email == "not-activated":
        email = User.get(User.password_hash.is_null()).email
    elif email == "deactivated":
        User.update(active=False).where(User.email == OTHER_PARENT).execute()
        email = OTHER_PARENT
    assert password_reset.request_link(email, IP) is None
    assert _mails() == []
    [row] = PasswordReset.select()  # recorded for throttling, without a link
    assert row.email == email and row.user_id is None and row.token_hash is None


def test_per_address_limit_is_silent(app, db_ctx):
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 2
    assert password_reset.request_link(PARENT, IP) is not None
    assert password_reset.request_link(PARENT, "198.51.100.1") is not None
    assert password_reset.request_link(PARENT, "198.51.100.2") is None  # no error either
    assert len(_mails()) == 2
    assert password_reset.request_link(OTHER_PARENT, IP) is not None  # others unaffected


def test_per_network_address_limit_refuses(app, db_ctx):
    app.config["PASSWORD_RESET_MAX_PER_NETWORK_ADDRESS"] = 3
    for n in range(3):
        password_reset.request_link(f"iemand{n}@example.org", IP)
    with pytest.raises(password_reset.TooManyRequests):
        password_reset.request_link(PARENT, IP)
    assert _mails() == []
    assert password_reset.request_link(PARENT, "198.51.100.1") is not None


def test_reset_sets_the_password_ends_sessions_and_clears_throttling(db_ctx):
    parent = User.by_email(PARENT)
    sessions.start(parent)
    sessions.start(parent)
    LoginAttempt.create(email=PARENT, ip=IP)
    password_reset.request_link(PARENT, IP)
    token = _token_in(_mails()[0])

    user = password_reset.reset_password(token, NEW_PASSWORD)
    assert user.id == parent.id
    assert passwords.verify_password(User.get_by_id(parent.id).password_hash, NEW_PASSWORD)
    assert AuthSession.select().where(AuthSession.user == parent).count() == 0
    assert LoginAttempt.select().where(LoginAttempt.email == PARENT).count() == 0


def test_a_link_works_once_and_older_links_stop_too(db_ctx):
    password_reset.request_link(PARENT, IP)
    password_reset.request_link(PARENT, IP)
    first, second = (_token_in(m) for m in _mails())
    assert password_reset.reset_password(second, NEW_PASSWORD) is not None
    assert password_reset.reset_password(second, "nog een ander wachtwoord") is None
    assert password_reset.reset_password(first, "nog een ander wachtwoord") is None
    assert passwords.verify_password(User.by_email(PARENT).password_hash, NEW_PASSWORD)


def test_the_link_expires_after_an_hour(db_ctx, monkeypatch):
    password_reset.request_link(PARENT, IP)
    token = _token_in(_mails()[0])
    start = utcnow()
    monkeypatch.setattr(password_reset, "utcnow", lambda: start + timedelta(minutes=59))
    assert password_reset.find_usable(token) is not None
    monkeypatch.setattr(password_reset, "utcnow", lambda: start + timedelta(minutes=61))
    assert password_reset.reset_password(token, NEW_PASSWORD) is None


def test_a_deactivated_account_cannot_use_its_link(db_ctx):
    password_reset.request_link(PARENT, IP)
    User.update(active=False).where(User.email == PARENT).execute()
    assert password_reset.reset_password(_token_in(_mails()[0]), NEW_PASSWORD) is None


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "é" * 43, "a" * 10_000])
def test_made_up_tokens_find_nothing(db_ctx, token):
    password_reset.request_link(PARENT, IP)
    assert password_reset.find_usable(token) is None
    assert password_reset.reset_password(token, NEW_PASSWORD) is None


def test_requests_are_forgotten_after_a_day(db_ctx):
    password_reset.request_link(PARENT, IP)
    password_reset.request_link("niemand@example.org", IP)
    PasswordReset.update(created_at=utcnow() - timedelta(days=1, minutes=1)).where(
        PasswordReset.email == PARENT).execute()
    assert password_reset.forget_old_requests() == 1
    assert [r.email for r in PasswordReset.select()] == ["niemand@example.org"]
