"""The second factor for staff and admins, through the real forms (no browser needed)."""

import json
import re
from datetime import timedelta

import pyotp
import pytest

from schoolportal.auth import second_factor
from schoolportal.auth.models import (
    AuthenticatorApp,
    Passkey,
    RecoveryCode,
    SecondFactorObligation,
)
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, AuthSession, OutboxMail, User, utcnow
from tests.support.passkeys import SoftAuthenticator, add_passkey, post_json
from tests.support.web import (
    ADMIN,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    csrf_token_from,
    login,
)

ORIGIN = "http://localhost:5000"


@pytest.fixture(autouse=True)
def _localhost(app):
    """Passkeys need a host name as relying party."""
    app.config["BASE_URL"] = ORIGIN


def _post(client, url, data=None, page=None):
    """POST a form with the CSRF token of `page` (default: the page at `url`)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token_from(html)})


def _set_up_app(client):
    """Set up an authenticator app as a logged-in member of staff: (totp, recovery codes)."""
    started = _post(client, "/account/second-factor/app", page="/account/second-factor")
    assert started.headers["Location"] == "/account/second-factor/app"
    page = client.get("/account/second-factor/app").get_data(as_text=True)
    secret = re.search(r'id="account-app-secret" class="secret">([A-Z2-7 ]+)<', page).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    done = client.post("/account/second-factor/app/confirm",
                       data={"code": totp.now(), "csrf_token": csrf_token_from(page)})
    assert done.status_code == 200, done.get_data(as_text=True)[:3000]
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    return totp, codes


def _password_step(app, email):
    """A fresh client that typed the right password; returns (client, response)."""
    client = app.test_client()
    return client, login(client, email)


def _user(app, email):
    with app.app_context(), db.connection_context():
        return User.by_email(email)


def _used_step(app, email):
    with app.app_context(), db.connection_context():
        return AuthenticatorApp.get(AuthenticatorApp.user == User.by_email(email)).last_used_step


def test_staff_without_a_second_factor_are_asked_at_every_login(app, client):
    for _ in range(2):
        response = login(app.test_client(), TEACHER)
        assert response.status_code == 302 and response.headers["Location"] == "/"
    teacher = app.test_client()
    login(teacher, TEACHER)
    home = teacher.get("/").get_data(as_text=True)
    assert "Beveilig je account met een tweede stap" in home
    assert 'href="/account/second-factor"' in home
    page = teacher.get("/account/second-factor").get_data(as_text=True)
    assert "Stel vóór" in page and "Passkey toevoegen" in page
    # Parents are not asked, and have no such page.
    parent = app.test_client()
    login(parent, PARENT)
    assert "tweede stap" not in parent.get("/").get_data(as_text=True)
    assert parent.get("/account/second-factor").status_code == 403


def test_the_grace_period_counts_from_the_first_login_and_is_a_setting(app):
    login(app.test_client(), TEACHER)
    with app.app_context(), db.connection_context():
        start = SecondFactorObligation.get(
            SecondFactorObligation.user == User.by_email(TEACHER)).applies_since
        assert abs((utcnow() - start).total_seconds()) < 60
        SecondFactorObligation.update(applies_since=start - timedelta(days=13)).execute()
    assert login(app.test_client(), TEACHER).headers["Location"] == "/"
    app.config["SECOND_FACTOR_GRACE_DAYS"] = 10
    assert login(app.test_client(), TEACHER).headers["Location"] == "/account/second-factor"


def test_past_the_grace_period_staff_can_only_set_one_up(app):
    login(app.test_client(), TEACHER)
    with app.app_context(), db.connection_context():
        SecondFactorObligation.update(applies_since=utcnow() - timedelta(days=15)).execute()
    teacher, response = _password_step(app, TEACHER)
    assert response.headers["Location"] == "/account/second-factor"
    for url in ("/", "/account", "/groups/1", "/admin/groups"):
        assert teacher.get(url).headers.get("Location") == "/account/second-factor", url
    page = teacher.get("/account/second-factor").get_data(as_text=True)
    assert "zonder kun je het portaal niet meer gebruiken" in page
    assert "Nu niet" not in page
    html = teacher.get("/account/second-factor").get_data(as_text=True)
    refused = teacher.post("/account", data={"display_name": "x", "language": "nl",
                                             "csrf_token": csrf_token_from(html)})
    assert refused.status_code == 403
    _set_up_app(teacher)
    assert teacher.get("/").status_code == 200
    # An admin is held the same way (the office reads every group).
    login(app.test_client(), ADMIN)
    with app.app_context(), db.connection_context():
        SecondFactorObligation.update(applies_since=utcnow() - timedelta(days=15)).execute()
    assert login(app.test_client(), ADMIN).headers["Location"] == "/account/second-factor"


def test_an_app_code_works_once(app, teacher):
    totp, codes = _set_up_app(teacher)
    assert len(codes) == 10 and len(set(codes)) == 10
    client, response = _password_step(app, TEACHER)
    assert response.headers["Location"] == "/login/second-factor"
    assert client.get("/").status_code == 302  # not logged in after the password alone
    step = _used_step(app, TEACHER)
    code = totp.at(step * 30 + 30)  # the next step's code (the confirmation used this one)
    page = "/login/second-factor"
    assert _post(client, page, {"code": code}).headers["Location"] == "/"
    assert client.get("/").status_code == 200

    again, _ = _password_step(app, TEACHER)
    refused = _post(again, page, {"code": code})
    assert refused.status_code == 422 and "al gebruikt" in refused.get_data(as_text=True)
    assert again.get("/").status_code == 302
    with app.app_context(), db.connection_context():
        steps = [json.loads(e.details).get("step") for e in AuditEntry.select().where(
            AuditEntry.action == "second_factor")]
    assert "code_reused" in steps and "app_added" in steps
    with app.app_context(), db.connection_context():  # ASVS 2.8.5: the holder is told
        [mail] = OutboxMail.select().where(OutboxMail.template == "auth/code_reused")
    assert mail.to_email == TEACHER and "al was gebruikt" in mail.body_text


def test_a_recovery_code_works_once_and_is_stored_hashed(app, teacher):
    _, codes = _set_up_app(teacher)
    with app.app_context(), db.connection_context():
        stored = [r.code_hash for r in RecoveryCode.select()]
        secret = AuthenticatorApp.get().secret
    assert len(stored) == 10 and not any(c.replace("-", "") in " ".join(stored) for c in codes)
    assert not re.fullmatch(r"[A-Z2-7]{32}", secret)  # encrypted, not the base32 secret

    client, _ = _password_step(app, TEACHER)
    used = _post(client, "/login/recovery-code", {"recovery_code": codes[3].upper()},
                 page="/login/second-factor")
    assert used.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "er zijn er nog 9" in home.get_data(as_text=True)
    again, _ = _password_step(app, TEACHER)
    refused = _post(again, "/login/recovery-code", {"recovery_code": codes[3]},
                    page="/login/second-factor")
    assert refused.status_code == 422 and again.get("/").status_code == 302
    other, _ = _password_step(app, TEACHER)
    assert _post(other, "/login/recovery-code", {"recovery_code": codes[4]},
                 page="/login/second-factor").status_code == 302


def test_wrong_codes_are_throttled(app, teacher):
    totp, codes = _set_up_app(teacher)
    client, _ = _password_step(app, TEACHER)
    for _ in range(5):
        assert _post(client, "/login/second-factor", {"code": "000000"}).status_code == 422
    blocked = _post(client, "/login/recovery-code", {"recovery_code": codes[0]},
                    page="/login/second-factor")
    assert blocked.status_code == 429 and client.get("/").status_code == 302
    # The password alone does not reset the count.
    client, _ = _password_step(app, TEACHER)
    assert _post(client, "/login/second-factor", {"code": totp.now()}).status_code == 429


def test_the_second_step_expires_and_cannot_be_skipped(app, teacher):
    _set_up_app(teacher)
    client = app.test_client()
    assert client.get("/login/second-factor").headers["Location"] == "/login"
    client, _ = _password_step(app, TEACHER)
    with client.session_transaction() as session:
        pending = dict(session["second_factor_pending"])
        session["second_factor_pending"] = {**pending, "at": pending["at"] - 301}
    assert client.get("/login/second-factor").headers["Location"] == "/login"


def test_a_passkey_is_a_whole_login_for_staff_and_a_second_step_after_the_password(app, teacher):
    authenticator = SoftAuthenticator()
    add_passkey(teacher, authenticator, ORIGIN)
    # At the second step, only this account's passkeys count.
    other = app.test_client()
    login(other, OTHER_TEACHER)
    stranger = SoftAuthenticator()
    add_passkey(other, stranger, ORIGIN)

    client, response = _password_step(app, TEACHER)
    assert response.headers["Location"] == "/login/second-factor"
    page = client.get("/login/second-factor").get_data(as_text=True)
    assert "Gebruik je passkey" in page and "auth-second-code" not in page
    options = post_json(client, "/login/second-factor/passkey/options", page).get_json()
    # A browser that ignores allowCredentials and signs with the other teacher's passkey.
    foreign = stranger.get(options, ORIGIN, "localhost",
                           credential_id=next(iter(stranger.credentials)))
    refused = post_json(client, "/login/second-factor/passkey", page, {"credential": foreign})
    assert refused.status_code == 422 and "ander account" in refused.get_json()["error"]
    assert client.get("/").status_code == 302
    options = post_json(client, "/login/second-factor/passkey/options", page).get_json()
    mine = authenticator.get(options, ORIGIN, "localhost")
    accepted = post_json(client, "/login/second-factor/passkey", page, {"credential": mine})
    assert accepted.get_json() == {"redirect": "/"} and client.get("/").status_code == 200


def test_an_admin_resets_a_teachers_second_factor_audited(app, teacher, admin):
    _set_up_app(teacher)
    add_passkey(teacher, SoftAuthenticator(), ORIGIN)
    member = _user(app, TEACHER)
    assert f"/admin/staff/{member.id}/second-factor" in admin.get(
        f"/admin/staff/{member.id}").get_data(as_text=True)
    page = admin.get(f"/admin/staff/{member.id}/second-factor").get_data(as_text=True)
    assert "1 passkey(s) en een authenticator-app; nog 10 herstelcodes" in page
    response = _post(admin, f"/admin/staff/{member.id}/second-factor/reset",
                     page=f"/admin/staff/{member.id}/second-factor")
    assert response.status_code == 302
    with app.app_context(), db.connection_context():
        assert not second_factor.has_factor(member)
        assert Passkey.select().count() == 0 and RecoveryCode.select().count() == 0
        assert AuthSession.select().where(AuthSession.user == member.id).count() == 0
        entry = AuditEntry.select().where(AuditEntry.action == "second_factor").order_by(
            AuditEntry.id.desc()).get()
        assert entry.actor_id == _user(app, ADMIN).id and entry.subject_id == member.id
        assert json.loads(entry.details)["step"] == "reset"
    assert teacher.get("/").status_code == 302  # logged out
    assert login(app.test_client(), TEACHER).headers["Location"] == "/"  # password works
    # Only admins reset, and not for parents' accounts.
    other = app.test_client()
    login(other, OTHER_TEACHER)
    html = other.get("/account").get_data(as_text=True)
    assert other.post(f"/admin/staff/{member.id}/second-factor/reset",
                      data={"csrf_token": csrf_token_from(html)}).status_code == 403
    parent_id = _user(app, PARENT).id
    assert _post(admin, f"/admin/staff/{parent_id}/second-factor/reset",
                 page="/account").status_code == 404
    assert admin.get(f"/admin/staff/{parent_id}/second-factor").status_code == 404
    assert "Nog niet ingesteld" in admin.get(
        f"/admin/staff/{member.id}/second-factor").get_data(as_text=True)
