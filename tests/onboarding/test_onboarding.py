"""The pages: a pupil's guardians and invitations, activating an account, a forgotten password."""

import re
import time

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import AuthSession, Group, OutboxMail, Pupil, User
from schoolportal.invitations import service as invitations_service
from schoolportal.invitations.models import Invitation
from tests.support.web import OTHER_TEACHER, PARENT, TEACHER, csrf_token_from, login, run_worker

NEW = "nieuwe.ouder@example.org"
PASSWORD = "een lang nieuw wachtwoord"
BAD_LINK = "Deze link werkt niet meer"
HTMX = {"HX-Request": "true"}
HOSTILE_EMAILS = ["", "geen-adres", "a@b", "x" * 10_000 + "@example.org", "jürgen@example.org",
                  "twee@@example.org", "ouder@example.org\r\nBcc: iedereen@example.org"]
BAD_TOKENS = ["x", "a" * 43, "%C3%A9" * 20, "a" * 10_000, "..%2F..%2Fetc"]


@pytest.fixture(autouse=True)
def quick_answers(app):
    """The forgotten-password form answers after a fixed time; keep it short in tests."""
    app.config["PASSWORD_RESET_ANSWER_SECONDS"] = 0.01


def _sem(app):
    """Sem Jansen, a pupil of Groep 1/2A (juf Sanne's group)."""
    with app.app_context(), db.connection_context():
        return Pupil.get(Pupil.first_name == "Sem")


def _count(app, model, *where):
    """How many rows of a table match."""
    with app.app_context(), db.connection_context():
        query = model.select()
        return (query.where(*where) if where else query).count()


def _mail_link(app, path):
    """The path of the link in the newest queued mail, e.g. /activate/<token>."""
    with app.app_context(), db.connection_context():
        mail = OutboxMail.select().order_by(OutboxMail.id.desc()).first()
    return re.search(r"http://127\.0\.0\.1:5000(" + path + r"[\w-]+)", mail.body_text).group(1)


def _invite(app, email=NEW):
    """Invite an address as Sem's guardian (no HTTP); returns the activation path."""
    with app.app_context(), db.connection_context():
        invitations_service.invite_guardian(Pupil.get(Pupil.first_name == "Sem"), email)
    return _mail_link(app, "/activate/")


def _newest_invitation_id(app):
    """The id of the newest invitation."""
    with app.app_context(), db.connection_context():
        return Invitation.select().order_by(Invitation.id.desc()).first().id


def _post(client, url, data, page=None, **kwargs):
    """POST a form with the CSRF token read from `page` (or from a public form)."""
    html = client.get(page or "/password/forgot").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data}, **kwargs)


# --- the guardians page ------------------------------------------------------------------

def test_teacher_sees_the_guardians_of_a_pupil_of_her_group(app, teacher):
    page = teacher.get(f"/pupils/{_sem(app).id}/guardians")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Ouders en verzorgers van Sem Jansen" in html
    assert "Eva Jansen" in html and "Geactiveerd" in html
    assert 'id="invitations-guardians"' in html and 'hx-post="/pupils/' in html


def test_admin_sees_the_guardians_page_and_htmx_gets_the_fragment(app, admin):
    url = f"/pupils/{_sem(app).id}/guardians"
    assert admin.get(url).status_code == 200
    fragment = admin.get(url, headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="invitations-guardians"')
    assert "<hx-partial hx-target=\"#flash-messages\"" in html
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize("who", [OTHER_TEACHER, PARENT, "ouder.bakker@example.org"])
def test_others_get_404_on_the_guardians_page(app, login_as, who):
    client = login_as(who)
    sem = _sem(app)
    assert client.get(f"/pupils/{sem.id}/guardians").status_code == 404
    response = _post(client, f"/pupils/{sem.id}/guardians", {"email": NEW}, page="/")
    assert response.status_code == 404
    assert _count(app, User, User.email == NEW) == 0


def test_guessed_pupil_and_invitation_ids_give_404(teacher):
    assert teacher.get("/pupils/999999/guardians").status_code == 404
    for action in ("resend", "revoke"):
        assert _post(teacher, f"/invitations/999999/{action}", {}, page="/").status_code == 404


def test_logged_out_visitor_is_sent_to_login(app, client):
    url = f"/pupils/{_sem(app).id}/guardians"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get(url, headers=HTMX).status_code == 401
    assert _post(client, url, {"email": NEW}).status_code == 401
    assert _count(app, User, User.email == NEW) == 0


def test_inviting_a_new_address_sends_the_invitation(app, teacher, smtp_server):
    url = f"/pupils/{_sem(app).id}/guardians"
    response = _post(teacher, url, {"email": " Nieuwe.Ouder@example.org "}, page=url)
    assert response.status_code == 302 and response.headers["Location"] == url
    html = teacher.get(url).get_data(as_text=True)
    assert f"We hebben een uitnodiging gestuurd naar {NEW}" in html
    assert "uitgenodigd, nog niet geactiveerd" in html and "de uitnodiging is geldig tot" in html
    run_worker(app)
    [message] = smtp_server.to(NEW)
    assert "/activate/" in message.get_body(("plain",)).get_content()


def test_inviting_with_htmx_answers_with_the_list_and_the_message(app, teacher):
    url = f"/pupils/{_sem(app).id}/guardians"
    response = _post(teacher, url, {"email": NEW}, page=url, headers=HTMX, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert NEW in html and "uitgenodigd, nog niet geactiveerd" in html
    assert f"We hebben een uitnodiging gestuurd naar {NEW}" in html


def test_inviting_an_active_account_links_the_child(app, teacher, smtp_server):
    url = f"/pupils/{_sem(app).id}/guardians"
    _post(teacher, url, {"email": "ouder.elmansouri@example.org"}, page=url)
    html = teacher.get(url).get_data(as_text=True)
    assert "ouder.elmansouri@example.org heeft al een account: Sem is er nu aan gekoppeld" in html
    run_worker(app)
    [message] = smtp_server.to("ouder.elmansouri@example.org")
    assert "Sem Jansen (Groep 1/2A) is nu aan je account gekoppeld" in message.get_body(
        ("plain",)).get_content()


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_bad_addresses_get_422_and_change_nothing(app, teacher, email):
    url = f"/pupils/{_sem(app).id}/guardians"
    for headers in ({}, HTMX):
        response = _post(teacher, url, {"email": email}, page=url, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'class="field__error"' in html and "e-mailadres" in html
        assert ("<html" in html) == (not headers)
    assert _count(app, Invitation) == 0 and _count(app, OutboxMail) == 0


def test_a_staff_address_gets_422_with_a_clear_message(app, teacher):
    url = f"/pupils/{_sem(app).id}/guardians"
    response = _post(teacher, url, {"email": OTHER_TEACHER}, page=url)
    assert response.status_code == 422
    assert "Dit adres hoort bij een medewerker van school" in response.get_data(as_text=True)
    assert _count(app, OutboxMail) == 0


@pytest.mark.parametrize("token", [None, "wrong"])
def test_invite_without_a_valid_csrf_token_changes_nothing(app, teacher, token):
    data = {"email": NEW} if token is None else {"email": NEW, "csrf_token": token}
    response = teacher.post(f"/pupils/{_sem(app).id}/guardians", data=data)
    assert response.status_code == 400
    assert _count(app, User, User.email == NEW) == 0


def test_resend_replaces_the_link(app, teacher, smtp_server):
    old_link = _invite(app)
    invitation_id = _newest_invitation_id(app)
    url = f"/pupils/{_sem(app).id}/guardians"
    response = _post(teacher, f"/invitations/{invitation_id}/resend", {}, page=url)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "We hebben een nieuwe uitnodiging gestuurd" in teacher.get(url).get_data(as_text=True)
    run_worker(app)
    assert len(smtp_server.to(NEW)) == 2
    assert app.test_client().get(old_link).status_code == 404
    assert app.test_client().get(_mail_link(app, "/activate/")).status_code == 200


def test_resend_and_revoke_with_htmx_answer_with_the_fragment(app, teacher):
    _invite(app)
    invitation_id = _newest_invitation_id(app)
    url = f"/pupils/{_sem(app).id}/guardians"
    for action, text in (("resend", "nieuwe uitnodiging gestuurd"), ("revoke", "ingetrokken")):
        newest = _newest_invitation_id(app)
        response = _post(teacher, f"/invitations/{newest}/{action}", {}, page=url,
                         headers=HTMX, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html and text in html
    assert invitation_id < newest


def test_revoke_stops_the_link(app, teacher):
    link = _invite(app)
    invitation_id = _newest_invitation_id(app)
    url = f"/pupils/{_sem(app).id}/guardians"
    _post(teacher, f"/invitations/{invitation_id}/revoke", {}, page=url)
    html = teacher.get(url).get_data(as_text=True)
    assert "is ingetrokken" in html and "geen geldige uitnodiging meer" in html
    assert app.test_client().get(link).status_code == 404


@pytest.mark.parametrize("who", [OTHER_TEACHER, PARENT, "ouder.bakker@example.org", None])
def test_others_cannot_resend_or_revoke(app, login_as, client, who):
    link = _invite(app)
    invitation_id = _newest_invitation_id(app)
    someone = login_as(who) if who else client
    for action in ("resend", "revoke"):
        response = _post(someone, f"/invitations/{invitation_id}/{action}", {})
        assert response.status_code == (401 if who is None else 404)
    assert _count(app, Invitation) == 1 and _count(app, OutboxMail) == 1
    assert app.test_client().get(link).status_code == 200


def test_resend_and_revoke_without_csrf_change_nothing(app, teacher):
    link = _invite(app)
    invitation_id = _newest_invitation_id(app)
    for action in ("resend", "revoke"):
        assert teacher.post(f"/invitations/{invitation_id}/{action}").status_code == 400
    assert _count(app, Invitation) == 1 and _count(app, OutboxMail) == 1
    assert app.test_client().get(link).status_code == 200


# --- activating an account ------------------------------------------------------------------

def _activate(client, link, **changes):
    """Fill in and send the activation form."""
    data = {"display_name": "Nieuwe Ouder", "password": PASSWORD, "password_repeat": PASSWORD,
            "language": "nl", **changes}
    return _post(client, link, data, page=link)


def test_activation_form_is_public_and_in_dutch(app, client):
    page = client.get(_invite(app))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Account activeren" in html and f"Je logt in met {NEW}" in html
    assert 'name="display_name"' in html and 'value=""' in html  # no made-up name
    assert 'autocomplete="new-password"' in html


def test_activation_suggests_the_name_the_school_entered(app, client):
    with app.app_context(), db.connection_context():
        pending = User.get(User.password_hash.is_null() & (User.role == "parent"))
        invitations_service.invite_guardian(Pupil.get(Pupil.first_name == "Sem"), pending.email)
    html = client.get(_mail_link(app, "/activate/")).get_data(as_text=True)
    assert f'value="{pending.display_name}"' in html


def test_activation_logs_in_and_lands_in_the_childs_group(app, client):
    link = _invite(app)
    response = _activate(client, link, language="en")
    with app.app_context(), db.connection_context():
        group = Group.get(Group.name == "Groep 1/2A")
        user = User.by_email(NEW)
    assert response.status_code == 302 and response.headers["Location"] == f"/groups/{group.id}"
    assert user.display_name == "Nieuwe Ouder" and user.language == "en"
    assert _count(app, AuthSession, AuthSession.user == user.id) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome, Nieuwe Ouder! Your account is active." in html and "Sem Jansen" in html
    assert app.test_client().get(link).status_code == 404  # the link worked once


def test_activation_then_logging_in_with_the_new_password(app, client):
    _activate(client, _invite(app))
    other = app.test_client()
    assert login(other, NEW, PASSWORD).status_code == 302


@pytest.mark.parametrize("changes, message", [
    ({"password": "kort", "password_repeat": "kort"}, "Gebruik minstens 12 tekens"),
    ({"password_repeat": "iets heel anders"}, "De twee wachtwoorden zijn niet hetzelfde"),
    ({"password": "wachtwoord123", "password_repeat": "wachtwoord123"}, "te makkelijk te raden"),
    ({"display_name": ""}, "Vul je naam in"),
    ({"display_name": "x" * 10_000}, "Gebruik hoogstens 100 tekens"),
    ({"display_name": "Naam\x00"}, "tekens die niet toegestaan zijn"),
    ({"language": "fr"}, "Taal"),
    ({"password": "é" * 10_000, "password_repeat": "é" * 10_000}, "te lang"),
])
def test_bad_activation_input_gets_422_and_changes_nothing(app, client, changes, message):
    link = _invite(app)
    response = _activate(client, link, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context(), db.connection_context():
        assert User.by_email(NEW).password_hash is None
        assert Invitation.get_by_id(_newest_invitation_id(app)).used_at is None


def test_activation_without_csrf_changes_nothing(app, client):
    link = _invite(app)
    response = client.post(link, data={"display_name": "X", "password": PASSWORD,
                                       "password_repeat": PASSWORD, "language": "nl"})
    assert response.status_code == 400
    assert _count(app, User, User.email == NEW, User.password_hash.is_null(False)) == 0


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_made_up_activation_links_get_the_clear_404_page(client, token):
    for response in (client.get(f"/activate/{token}"),
                     _post(client, f"/activate/{token}", {"display_name": "X"})):
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert BAD_LINK in html and "Vraag de school om een nieuwe uitnodiging" in html


def test_used_revoked_and_expired_activation_links_get_the_clear_404_page(app, client):
    used = _invite(app)
    _activate(app.test_client(), used)
    revoked = _invite(app, "tweede@example.org")
    with app.app_context(), db.connection_context():
        invitations_service.revoke(Invitation.select().order_by(Invitation.id.desc()).first())
    expired = _invite(app, "derde@example.org")
    with app.app_context(), db.connection_context():
        Invitation.update(expires_at=Invitation.created_at).where(
            Invitation.used_at.is_null() & Invitation.revoked_at.is_null()).execute()
    for link in (used, revoked, expired):
        response = client.get(link)
        assert response.status_code == 404 and BAD_LINK in response.get_data(as_text=True)


# --- a forgotten password -------------------------------------------------------------------

def _forgot(client, email, **kwargs):
    """Send the forgotten-password form."""
    return _post(client, "/password/forgot", {"email": email}, page="/password/forgot", **kwargs)


def test_forgot_password_page_is_public_and_in_dutch(client):
    page = client.get("/password/forgot")
    assert page.status_code == 200 and "Wachtwoord vergeten?" in page.get_data(as_text=True)


def test_the_answer_is_the_same_with_or_without_an_account(app, smtp_server):
    answers = []
    for email in (PARENT, "niemand@example.org", TEACHER.replace("sanne", "sanna")):
        client = app.test_client()
        response = _forgot(client, email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        page = re.sub(r'"[\w-]{20,}\.[\w-]+\.[\w-]+"', '"TOKEN"', page)  # CSRF tokens
        answers.append((response.status_code, response.headers["Location"],
                        page.replace(email, "ADDRESS")))
        assert f"Als {email} bij een geactiveerd account hoort" in page
    assert answers[0] == answers[1] == answers[2]
    run_worker(app)
    assert [m["To"] for m in smtp_server.messages] == [PARENT]


def test_known_and_unknown_addresses_take_the_same_time_to_answer(app):
    app.config["PASSWORD_RESET_ANSWER_SECONDS"] = 0.3
    for email in (PARENT, "niemand@example.org"):
        client = app.test_client()
        token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
        started = time.monotonic()
        client.post("/password/forgot", data={"csrf_token": token, "email": email})
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_bad_addresses_on_forgot_password_get_422(app, client, email):
    response = _forgot(client, email)
    assert response.status_code == 422 and "field__error" in response.get_data(as_text=True)
    assert _count(app, OutboxMail) == 0


def test_forgot_password_without_csrf_changes_nothing(app, client):
    assert client.post("/password/forgot", data={"email": PARENT}).status_code == 400
    assert _count(app, OutboxMail) == 0


def test_too_many_requests_from_one_network_address_wait(app, client):
    app.config["PASSWORD_RESET_MAX_PER_NETWORK_ADDRESS"] = 2
    for n in range(2):
        assert _forgot(client, f"iemand{n}@example.org").status_code == 302
    response = _forgot(client, PARENT)
    assert response.status_code == 429
    assert "Te veel aanvragen vanaf jouw netwerk" in response.get_data(as_text=True)
    assert _count(app, OutboxMail) == 0


def test_reset_by_mail_sets_the_password_and_ends_every_session(app, parent, smtp_server):
    _forgot(app.test_client(), PARENT)
    run_worker(app)
    [message] = smtp_server.to(PARENT)
    link = re.search(r"http://127\.0\.0\.1:5000(/password/reset/[\w-]+)",
                     message.get_body(("plain",)).get_content()).group(1)
    client = app.test_client()
    form = client.get(link)
    assert form.status_code == 200 and "Kies een nieuw wachtwoord" in form.get_data(as_text=True)
    response = _post(client, link, {"password": PASSWORD, "password_repeat": PASSWORD}, page=link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Je wachtwoord is gewijzigd" in client.get("/login").get_data(as_text=True)
    assert parent.get("/").status_code == 302  # the old session has ended
    assert login(app.test_client(), PARENT).status_code == 422  # the old password is gone
    assert login(app.test_client(), PARENT, PASSWORD).status_code == 302
    assert client.get(link).status_code == 404  # used once


def test_weak_new_password_gets_422_and_changes_nothing(app, client):
    _forgot(client, PARENT)
    link = _mail_link(app, "/password/reset/")
    response = _post(client, link, {"password": "kort", "password_repeat": "kort"}, page=link)
    assert response.status_code == 422
    assert "Gebruik minstens 12 tekens" in response.get_data(as_text=True)
    assert login(app.test_client(), PARENT).status_code == 302
    assert client.post(link, data={"password": PASSWORD, "password_repeat": PASSWORD}
                       ).status_code == 400  # no CSRF token
    assert login(app.test_client(), PARENT).status_code == 302


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_made_up_reset_links_get_the_clear_404_page(client, token):
    for response in (client.get(f"/password/reset/{token}"),
                     _post(client, f"/password/reset/{token}", {"password": PASSWORD})):
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert BAD_LINK in html and "Vraag een nieuwe link aan" in html
