"""Passkeys without a browser: a software authenticator against the real endpoints.

Every answer is a real WebAuthn answer (P-256 signature, CBOR, clientDataJSON), so these
tests exercise the server's checks: challenge single use and session binding, origin,
signature counter, user handle, whose passkey it is, removal, export and erasure.
"""

import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest

from schoolportal.auth.models import Passkey, PasskeyChallenge
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, User, utcnow
from tests.support.passkeys import SoftAuthenticator, add_passkey, post_json
from tests.support.web import OTHER_PARENT, PARENT, csrf_token_from, login, run_worker

ORIGIN = "http://localhost:5000"
RP_ID = "localhost"


@pytest.fixture(autouse=True)
def _localhost(app):
    """The portal as the demo serves it: WebAuthn needs a host name, not an IP address."""
    app.config["BASE_URL"] = ORIGIN


def _passkeys_of(app, email):
    with app.app_context(), db.connection_context():
        return list(Passkey.select().join(User).where(User.email == email))


def _login_options(client):
    """A fresh login page and the passkey options it asks for: (page html, options)."""
    page = client.get("/login").get_data(as_text=True)
    return page, post_json(client, "/login/passkey/options", page).get_json()


def _sign_in(client, authenticator, **answer):
    """Sign in with a passkey the way the login page's script does; returns the response."""
    page, options = _login_options(client)
    credential = authenticator.get(options, ORIGIN, RP_ID, **answer)
    return post_json(client, "/login/passkey", page, {"credential": credential}), credential


def test_parent_adds_a_passkey_signs_in_with_it_and_removes_it(app, parent):
    authenticator = SoftAuthenticator()
    added = add_passkey(parent, authenticator, ORIGIN, name="Telefoon van Eva")
    assert added.status_code == 200 and added.get_json() == {"redirect": "/account"}
    html = parent.get("/account").get_data(as_text=True)
    assert "Telefoon van Eva" in html and "nog niet gebruikt" in html

    visitor = app.test_client()
    response, _ = _sign_in(visitor, authenticator)
    assert response.status_code == 200 and response.get_json() == {"redirect": "/"}
    home = visitor.get("/")
    assert home.status_code == 200 and "Eva Jansen" in home.get_data(as_text=True)
    [passkey] = _passkeys_of(app, PARENT)
    assert passkey.last_used_at is not None and passkey.sign_count == 1

    page = parent.get("/account").get_data(as_text=True)
    assert "laatst gebruikt" in page
    token = csrf_token_from(page)
    removed = parent.post(f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302 and _passkeys_of(app, PARENT) == []
    assert "<strong>Telefoon van Eva</strong>" not in parent.get("/account").get_data(as_text=True)
    again, _ = _sign_in(app.test_client(), authenticator)
    assert again.status_code == 422 and "niet (meer) bekend" in again.get_json()["error"]
    with app.app_context(), db.connection_context():
        steps = [json.loads(e.details)["step"] for e in AuditEntry.select().where(
            AuditEntry.action == "passkey").order_by(AuditEntry.id)]
    assert steps == ["added", "removed"]


def test_a_replayed_assertion_is_refused(app, parent):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    visitor = app.test_client()
    first, credential = _sign_in(visitor, authenticator)
    assert first.status_code == 200

    # The same answer again: its challenge was used up, in this session and in any other.
    for client, page_url in ((visitor, "/account"), (app.test_client(), "/login")):
        page = client.get(page_url).get_data(as_text=True)
        replay = post_json(client, "/login/passkey", page, {"credential": credential})
        assert replay.status_code == 422
        # And with a fresh challenge asked for first: the answer signs the old one.
        post_json(client, "/login/passkey/options", page)
        replay = post_json(client, "/login/passkey", page, {"credential": credential})
        assert replay.status_code == 422
    assert _passkeys_of(app, PARENT)[0].sign_count == 1


def test_the_challenge_belongs_to_one_session_and_expires(app, parent):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    asker, thief = app.test_client(), app.test_client()
    _, options = _login_options(asker)
    credential = authenticator.get(options, ORIGIN, RP_ID)
    page = thief.get("/login").get_data(as_text=True)
    assert post_json(thief, "/login/passkey", page, {"credential": credential}).status_code == 422

    page, options = _login_options(asker)
    with app.app_context(), db.connection_context():
        PasskeyChallenge.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    credential = authenticator.get(options, ORIGIN, RP_ID)
    late = post_json(asker, "/login/passkey", page, {"credential": credential})
    assert late.status_code == 422 and "verlopen" in late.get_json()["error"]


def test_a_lower_signature_counter_is_refused_as_a_copied_passkey(app, parent):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    assert _sign_in(app.test_client(), authenticator, counter=7)[0].status_code == 200
    copied, _ = _sign_in(app.test_client(), authenticator, counter=5)
    assert copied.status_code == 422 and "gekopieerde" in copied.get_json()["error"]
    same, _ = _sign_in(app.test_client(), authenticator, counter=7)
    assert same.status_code == 422
    assert _passkeys_of(app, PARENT)[0].sign_count == 7
    assert _sign_in(app.test_client(), authenticator, counter=8)[0].status_code == 200


def test_an_answer_for_another_origin_or_user_handle_is_refused(app, parent, other_parent):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    client = app.test_client()
    page, options = _login_options(client)
    phished = authenticator.get(options, "http://localhost.evil.example", RP_ID)
    assert post_json(client, "/login/passkey", page, {"credential": phished}).status_code == 422

    # Eva's credential id with Mark's user handle (a passkey made for him elsewhere).
    add_passkey(other_parent, authenticator, ORIGIN)
    eva, mark = list(authenticator.credentials)
    page, options = _login_options(client)
    credential = authenticator.get(options, ORIGIN, RP_ID, credential_id=eva)
    credential["response"]["userHandle"] = authenticator.get(
        options, ORIGIN, RP_ID, credential_id=mark)["response"]["userHandle"]
    assert post_json(client, "/login/passkey", page, {"credential": credential}).status_code == 422
    assert client.get("/").status_code == 302  # not logged in


def test_someone_elses_passkey_cannot_be_removed_by_guessing_its_id(app, parent, other_parent):
    add_passkey(parent, SoftAuthenticator(), ORIGIN)
    [passkey] = _passkeys_of(app, PARENT)
    page = other_parent.get("/account").get_data(as_text=True)
    token = csrf_token_from(page)
    response = other_parent.post(f"/account/passkeys/{passkey.id}/remove",
                                 data={"csrf_token": token})
    assert response.status_code == 404 and len(_passkeys_of(app, PARENT)) == 1
    assert "Testtelefoon" not in page


def test_a_deactivated_account_cannot_sign_in_with_its_passkey(app, parent):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.email == PARENT).execute()
    response, _ = _sign_in(app.test_client(), authenticator)
    assert response.status_code == 422


def test_bad_requests_get_a_clear_refusal_never_a_500(app, parent):
    page = parent.get("/account").get_data(as_text=True)
    for body in ({}, {"credential": "x"}, {"credential": {"id": 5}},
                 {"credential": {"id": "abc", "response": {}}}):
        post_json(parent, "/account/passkeys/options", page)
        assert post_json(parent, "/account/passkeys", page, body).status_code == 422
        client = app.test_client()
        login_page, _ = _login_options(client)
        assert post_json(client, "/login/passkey", login_page, body).status_code == 422
    no_csrf = parent.post("/account/passkeys/options", json={})
    assert no_csrf.status_code == 400
    assert _passkeys_of(app, PARENT) == []


def test_passkeys_are_in_the_family_export_and_gone_after_erasure(app, parent, admin):
    add_passkey(parent, SoftAuthenticator(), ORIGIN, name="Tablet thuis")
    token = csrf_token_from(parent.get("/account/data").get_data(as_text=True))
    export = parent.post("/account/data/export", data={"csrf_token": token})
    archive = zipfile.ZipFile(BytesIO(export.data))
    [row] = json.loads(archive.read("passkeys.json"))
    assert row["name"] == "Tablet thuis" and "public_key" not in row

    from schoolportal.family_data import erasure

    with app.app_context(), db.connection_context():
        account = User.by_email(PARENT)
        scheduled = erasure.schedule(account, "request", utcnow().date())
        assert erasure.carry_out(scheduled)
    assert _passkeys_of(app, PARENT) == []
    with app.app_context(), db.connection_context():
        assert Passkey.select().where(Passkey.user == account.id).count() == 0


def test_a_password_reset_ends_sessions_keeps_passkeys_and_says_so(app, parent, smtp_server):
    authenticator = SoftAuthenticator()
    add_passkey(parent, authenticator, ORIGIN)
    client = app.test_client()
    token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
    client.post("/password/forgot", data={"email": PARENT, "csrf_token": token})
    run_worker(app)
    [message] = smtp_server.to(PARENT)
    text = message.get_body(("plain",)).get_content()
    said = " ".join(text.split())
    assert "Je passkeys (1) blijven werken" in said and "op al je apparaten uitgelogd" in said
    link = "/password/reset/" + text.split("/password/reset/")[1].split()[0]
    token = csrf_token_from(client.get(link).get_data(as_text=True))
    new = "een nieuw lang wachtwoord"
    done = client.post(link, data={"password": new, "password_repeat": new, "csrf_token": token})
    assert done.status_code == 302
    assert parent.get("/").status_code == 302  # every session ended
    assert len(_passkeys_of(app, PARENT)) == 1
    assert _sign_in(app.test_client(), authenticator)[0].status_code == 200
    assert login(app.test_client(), OTHER_PARENT).status_code == 302


def test_the_login_pages_passkey_request_cannot_undo_a_password_login(app):
    """The login page asks for a passkey challenge as it opens; a parent whose password
    manager submits the form at once gets both responses, in either order. The challenge
    lives in a cookie of its own, so the slower one never carries an older session."""
    visitor = app.test_client()
    page = visitor.get("/login").get_data(as_text=True)
    session_before = visitor.get_cookie("schoolportal_session")
    options = post_json(visitor, "/login/passkey/options", page)
    assert options.status_code == 200
    assert visitor.get_cookie("schoolportal_session") == session_before  # session untouched
    assert visitor.get_cookie("schoolportal_passkey") is not None
    logged_in = login(visitor, PARENT)
    assert logged_in.status_code == 302
    assert visitor.get("/").status_code == 200  # still logged in, whatever landed last
