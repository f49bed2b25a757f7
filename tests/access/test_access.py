"""Asking for access (public) and the admins' queue, through HTTP with CSRF on."""

import re
import threading
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from schoolportal.access.models import AccessRequest
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Guardianship, OutboxMail, Pupil, User
from schoolportal.invitations.models import Invitation
from tests.support.web import ADMIN, OTHER_PARENT, PARENT, TEACHER, csrf_token_from, run_worker

FORM_URL = "/toegang-aanvragen"
QUEUE_URL = "/admin/toegangsaanvragen"
RECEIVED = "We hebben je aanvraag ontvangen; de school controleert die"
THROTTLED = "Er zijn te veel aanvragen verstuurd"
NEW_ADDRESS = "piet.jansen@example.org"


def _form_data(token, **changes):
    """A complete request for Sem Jansen from an address without an account."""
    data = {
        "csrf_token": token, "child_first_name": "Sem", "child_last_name": "Jansen",
        "child_birth_date": "09-04-2021", "child_group": "1/2A", "requester_name": "Piet Jansen",
        "email": NEW_ADDRESS, "relation": "parent", "parental_authority": "y", "note": "",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post_request(client, **changes):
    """Fill in the public form with a fresh token and send it."""
    token = csrf_token_from(client.get(FORM_URL).get_data(as_text=True))
    return client.post(FORM_URL, data=_form_data(token, **changes))


def _without_tokens(html):
    """A page with its CSRF tokens (different per session) taken out."""
    return re.sub(r'(csrf_token[^>]*?value=|"X-CSRFToken": ")"?[^"\s>]+', r"\1", html)


def _stored(app):
    """The access requests in the database, oldest first."""
    with app.app_context(), db.connection_context():
        return list(AccessRequest.select().order_by(AccessRequest.id))


# --- the public form ------------------------------------------------------------------

def test_request_form_is_public_and_in_dutch(client):
    page = client.get(FORM_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Toegang aanvragen" in html and "Voornaam van je kind" in html
    assert 'name="csrf_token"' in html and 'method="post"' in html
    assert re.search(r'<input[^>]*name="child_birth_date"[^>]*type="text"', html)
    assert 'name="parental_authority"' in html
    assert "ouder" in html and "verzorger" in html and "voogd" in html


def test_request_is_stored_and_confirmed(app, client):
    response = _post_request(client, child_first_name="Zoë", child_last_name="Yılmaz",
                             email=" Piet.Jansen@Example.org", note="Wij zijn verhuisd.")
    assert response.status_code == 302
    assert response.headers["Location"] == "/toegang-aanvragen?ontvangen=1"
    assert RECEIVED in client.get(response.headers["Location"]).get_data(as_text=True)
    [row] = _stored(app)
    assert (row.child_first_name, row.child_last_name) == ("Zoë", "Yılmaz")
    assert row.child_birth_date == date(2021, 4, 9) and row.email == NEW_ADDRESS
    assert row.status == "pending" and row.declared_authority and row.ip == "127.0.0.1"


@pytest.mark.parametrize("typed", ["2021-04-09", "9-4-2021", "09/04/2021", "09.04.2021",
                                   "09 04 2021", "09042021", " 09-04-2021 "])
def test_usual_ways_of_writing_a_date_are_accepted(app, client, typed):
    assert _post_request(client, child_birth_date=typed).status_code == 302
    assert _stored(app)[0].child_birth_date == date(2021, 4, 9)


def test_same_answer_whether_child_or_account_exists(app):
    """Every variant gets the same redirect and the same confirmation page."""
    variants = {
        "existing child, new address": {},
        "unknown child, new address": {"child_first_name": "Niemand", "child_last_name": "Xyz"},
        "existing child, address with an account": {"email": OTHER_PARENT},
        "unknown child, address with an account": {"child_first_name": "Niemand",
                                                   "child_last_name": "Xyz",
                                                   "email": OTHER_PARENT},
    }
    answers = {}
    for name, changes in variants.items():
        client = app.test_client()
        response = _post_request(client, **changes)
        page = client.get(response.headers["Location"])
        answers[name] = (response.status_code, response.headers["Location"],
                         _without_tokens(response.get_data(as_text=True)),
                         page.status_code, _without_tokens(page.get_data(as_text=True)))
    first = answers["existing child, new address"]
    assert all(answer == first for answer in answers.values())
    assert first[0] == 302 and first[3] == 200 and RECEIVED in first[4]
    assert len(_stored(app)) == 4


@pytest.mark.parametrize(("changes", "message"), [
    ({"child_first_name": ""}, "Vul de voornaam van je kind in."),
    ({"child_last_name": "   "}, "Vul de achternaam van je kind in."),
    ({"child_birth_date": ""}, "Vul de geboortedatum van je kind in."),
    ({"child_birth_date": "31-02-2021"}, "Schrijf de datum als dag-maand-jaar"),
    ({"child_birth_date": "gisteren"}, "Schrijf de datum als dag-maand-jaar"),
    ({"child_birth_date": (school_today() + timedelta(days=2)).strftime("%d-%m-%Y")},
     "Controleer de geboortedatum."),
    ({"child_birth_date": "01-01-1950"}, "Controleer de geboortedatum."),
    ({"requester_name": ""}, "Vul je naam in."),
    ({"email": ""}, "Vul je e-mailadres in."),
    ({"email": "piet@"}, "Vul een geldig e-mailadres in"),
    ({"email": "piet jansen@example.org"}, "Vul een geldig e-mailadres in"),
    ({"email": "a" * 300 + "@example.org"}, "Dit e-mailadres is te lang."),
    ({"relation": None}, "Kies wat je van het kind bent."),
    ({"relation": "oom"}, "Kies wat je van het kind bent."),
    ({"parental_authority": None}, "Alleen iemand met gezag over het kind"),
    ({"child_first_name": "x" * 10_000}, "Gebruik hoogstens 100 tekens."),
    ({"note": "x" * 10_000}, "Gebruik hoogstens 1000 tekens."),
    ({"requester_name": "Piet\x00Jansen"}, "Dit veld bevat tekens die niet toegestaan zijn."),
])
def test_bad_input_is_refused_with_a_clear_message(app, client, changes, message):
    response = _post_request(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert _stored(app) == []


def test_the_form_keeps_what_was_typed_after_an_error(client):
    html = _post_request(client, email="piet@").get_data(as_text=True)
    assert 'value="Sem"' in html and 'value="09-04-2021"' in html
    assert 'aria-invalid="true"' in html


def test_hostile_text_is_stored_as_text_and_shown_escaped(app, client, admin):
    attack = '<script>alert("x")</script>'
    assert _post_request(client, child_first_name=attack, note=attack).status_code == 302
    html = admin.get(QUEUE_URL).get_data(as_text=True)
    assert attack not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_wrong_csrf_token_changes_nothing(app, client, token):
    client.get(FORM_URL)
    response = client.post(FORM_URL, data=_form_data(token))
    assert response.status_code == 400
    assert _stored(app) == []


def test_filled_in_hidden_field_gets_the_confirmation_but_is_not_stored(app, client):
    response = _post_request(client, website="https://spam.example")
    assert response.status_code == 302 and "ontvangen" in response.headers["Location"]
    assert _stored(app) == []


def test_requests_per_email_address_are_limited(app, client):
    for n in range(3):
        assert _post_request(client, email=NEW_ADDRESS.upper() if n else NEW_ADDRESS,
                             child_first_name=f"Kind{n}").status_code == 302
    blocked = _post_request(client)
    assert blocked.status_code == 429
    assert THROTTLED in blocked.get_data(as_text=True)
    assert _post_request(client, email="ander@example.org").status_code == 302
    assert len(_stored(app)) == 4


def test_requests_per_network_address_are_limited(app, client):
    app.config["ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR"] = 2
    for n in range(2):
        assert _post_request(client, email=f"ouder{n}@example.org").status_code == 302
    blocked = _post_request(client, email="ouder9@example.org")
    assert blocked.status_code == 429 and THROTTLED in blocked.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert _post_request(other, email="ouder9@example.org").status_code == 302


def test_throttling_answers_the_same_for_an_address_with_and_without_account(app):
    answers = []
    for email in (NEW_ADDRESS, OTHER_PARENT):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{len(answers) + 1}"
        for _ in range(3):
            _post_request(client, email=email)
        blocked = _post_request(client, email=email)
        html = _without_tokens(blocked.get_data(as_text=True)).replace(email, "ADDRESS")
        answers.append((blocked.status_code, html))
    assert answers[0] == answers[1] and answers[0][0] == 429


# --- the queue ------------------------------------------------------------------------

def _submit(app, **changes):
    """A pending request, stored through the real form; returns its id."""
    _post_request(app.test_client(), **changes)
    return _stored(app)[-1].id


def _pupil_id(app, first="Sem", last="Jansen"):
    """The id of a demo pupil."""
    with app.app_context(), db.connection_context():
        return Pupil.get((Pupil.first_name == first) & (Pupil.last_name == last)).id


def _decide(client, request_id, action, htmx=False, **fields):
    """POST the approve or reject form of one card, with the page's token."""
    token = csrf_token_from(client.get(QUEUE_URL).get_data(as_text=True))
    prefix = f"{action}-{request_id}"
    data = {f"{prefix}-csrf_token": token}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    url = f"{QUEUE_URL}/{request_id}/{'goedkeuren' if action == 'approve' else 'afwijzen'}"
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=data, headers=headers)


def _status(app, request_id):
    """The stored status of a request."""
    with app.app_context(), db.connection_context():
        return AccessRequest.get_by_id(request_id).status


def test_queue_shows_pending_requests_with_suggested_pupils(app, admin):
    _submit(app)
    _submit(app, child_first_name="Niemand", child_last_name="Xyz", email="x@example.org")
    html = admin.get(QUEUE_URL).get_data(as_text=True)
    assert "2 aanvragen wachten op een besluit." in html
    assert "Piet Jansen" in html and NEW_ADDRESS in html
    assert re.search(r"<option value=\"\d+\">Sem Jansen · Groep 1/2A", html)
    assert "Geen leerling op school past bij deze naam" in html  # the unknown child


def test_queue_is_for_admins_only(app, client, parent, other_parent, teacher):
    request_id = _submit(app)
    for user in (parent, other_parent, teacher):
        assert user.get(QUEUE_URL).status_code == 404
        token = csrf_token_from(user.get("/").get_data(as_text=True))
        for action in ("goedkeuren", "afwijzen"):
            for guess in (request_id, 999999):
                response = user.post(f"{QUEUE_URL}/{guess}/{action}", data={
                    "csrf_token": token, f"approve-{guess}-pupil": _pupil_id(app),
                    f"reject-{guess}-reason": "Nee"})
                assert response.status_code == 404
    response = client.get(QUEUE_URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    client.get(FORM_URL)
    assert client.post(f"{QUEUE_URL}/{request_id}/goedkeuren").status_code in (400, 401)
    assert _status(app, request_id) == "pending"


def test_guessed_request_id_gives_404(admin):
    token = csrf_token_from(admin.get(QUEUE_URL).get_data(as_text=True))
    response = admin.post(f"{QUEUE_URL}/999999/goedkeuren", data={"csrf_token": token})
    assert response.status_code == 404


def test_approval_without_javascript_invites_and_the_link_works(app, admin, smtp_server):
    request_id = _submit(app)
    response = _decide(admin, request_id, "approve", pupil=_pupil_id(app))
    assert response.status_code == 302 and response.headers["Location"] == QUEUE_URL
    queue = admin.get(QUEUE_URL).get_data(as_text=True)
    assert "Goedgekeurd. piet.jansen@example.org krijgt een e-mail" in queue
    assert "Er wachten geen aanvragen op een besluit." in queue
    assert "gekoppeld aan Sem Jansen (Groep 1/2A)" in queue
    with app.app_context(), db.connection_context():
        user = User.by_email(NEW_ADDRESS)
        assert Invitation.select().where(Invitation.user == user).count() == 1
        assert Guardianship.select().where(Guardianship.guardian == user).count() == 1
    run_worker(app)
    [mail] = smtp_server.to(NEW_ADDRESS)
    link = re.search(r"https?://\S+/activate/[\w-]+", mail.get_body(("plain",)).get_content())
    assert link, "the invitation mail holds the activation link"
    if "onboarding.activate_submit" in app.view_functions:  # the activation page exists
        assert app.test_client().get(urlsplit(link.group(0)).path).status_code == 200


def test_approval_with_htmx_swaps_the_card_and_the_counter(app, admin):
    request_id = _submit(app)
    _submit(app, email="tweede@example.org")
    response = _decide(admin, request_id, "approve", htmx=True, pupil=_pupil_id(app))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'id="access-request-{request_id}"' in html and "Goedgekeurd door" in html
    assert '<hx-partial hx-target="#access-pending-count"' in html
    assert "1 aanvraag wacht op een besluit." in html
    assert response.headers["Vary"] and "HX-Request" in response.headers["Vary"]
    assert _status(app, request_id) == "approved"


def test_approval_by_pupil_number(app, admin):
    request_id = _submit(app, child_first_name="Onbekend", child_last_name="Kind")
    assert _decide(admin, request_id, "approve", pupil_number="rb-1001").status_code == 302
    with app.app_context(), db.connection_context():
        assert AccessRequest.get_by_id(request_id).pupil.full_name == "Sem Jansen"


def _young_pupil_id(app):
    """A pupil in Groep 1/2A who turns 4 tomorrow."""
    today = school_today()
    with app.app_context(), db.connection_context():
        group = Group.get(Group.name == "Groep 1/2A")
        birth = today.replace(year=today.year - 4) + timedelta(days=1)
        return Pupil.create(first_name="Kiki", last_name="de Vries", birth_date=birth,
                            group=group).id


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_approval_under_4_is_refused_and_changes_nothing(app, admin, htmx):
    young = _young_pupil_id(app)
    request_id = _submit(app, child_first_name="Kiki", child_last_name="de Vries")
    response = _decide(admin, request_id, "approve", htmx=htmx, pupil=young)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kiki de Vries is nog geen 4 jaar" in html
    assert ("<html" in html) is not htmx
    assert _status(app, request_id) == "pending"
    with app.app_context(), db.connection_context():
        assert Invitation.select().count() == 0 and OutboxMail.select().count() == 0
        assert User.by_email(NEW_ADDRESS) is None


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Kies de leerling om wie het in deze aanvraag gaat."),
    ({"pupil": "0"}, "Kies de leerling om wie het in deze aanvraag gaat."),
    ({"pupil": "abc"}, "Kies de leerling"),
    ({"pupil": "999999"}, "Deze leerling zit niet (meer) op school."),
    ({"pupil_number": "RB-0000"}, "Geen leerling op school heeft dit leerlingnummer."),
    ({"pupil_number": "x" * 10_000}, "Gebruik hoogstens 32 tekens."),
])
def test_approval_needs_a_current_pupil(app, admin, fields, message):
    request_id = _submit(app)
    response = _decide(admin, request_id, "approve", **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert _status(app, request_id) == "pending"


def test_approval_without_csrf_token_changes_nothing(app, admin):
    request_id = _submit(app)
    admin.get(QUEUE_URL)
    response = admin.post(f"{QUEUE_URL}/{request_id}/goedkeuren",
                          data={f"approve-{request_id}-pupil": _pupil_id(app)})
    assert response.status_code == 400
    assert _status(app, request_id) == "pending"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_decided_request_cannot_be_decided_again(app, admin, htmx):
    request_id = _submit(app)
    assert _decide(admin, request_id, "approve", pupil=_pupil_id(app)).status_code == 302
    again = _decide(admin, request_id, "reject", htmx=htmx, reason="Toch niet")
    if htmx:
        assert again.status_code == 409
        html = again.get_data(as_text=True)
    else:
        assert again.status_code == 302
        html = admin.get(QUEUE_URL).get_data(as_text=True)
    assert "Deze aanvraag is al afgehandeld; er is niets gewijzigd." in html
    assert _status(app, request_id) == "approved"
    with app.app_context(), db.connection_context():
        assert OutboxMail.select().where(OutboxMail.template == "access/rejected").count() == 0


def test_two_admins_approving_at_the_same_moment_approve_once(app, login_as):
    request_id = _submit(app)
    pupil_id = _pupil_id(app)
    clients = [login_as(ADMIN), login_as(ADMIN)]
    tokens = [csrf_token_from(c.get(QUEUE_URL).get_data(as_text=True)) for c in clients]
    start, statuses = threading.Barrier(2), []

    def approve(client, token):
        start.wait(timeout=10)
        response = client.post(f"{QUEUE_URL}/{request_id}/goedkeuren", headers={
            "HX-Request": "true"}, data={f"approve-{request_id}-csrf_token": token,
                                         f"approve-{request_id}-pupil": pupil_id})
        statuses.append(response.status_code)

    pairs = zip(clients, tokens, strict=True)
    threads = [threading.Thread(target=approve, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    with app.app_context(), db.connection_context():
        assert Invitation.select().count() == 1
        assert OutboxMail.select().count() == 1


def test_rejection_mails_the_reason(app, admin, smtp_server):
    request_id = _submit(app)
    response = _decide(admin, request_id, "reject",
                       reason="Wij hebben geen leerling met deze naam.")
    assert response.status_code == 302
    assert "Afgewezen. piet.jansen@example.org krijgt de reden" in admin.get(
        QUEUE_URL).get_data(as_text=True)
    assert _status(app, request_id) == "rejected"
    run_worker(app)
    [mail] = smtp_server.to(NEW_ADDRESS)
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Je aanvraag voor toegang tot het portaal van OBS De Regenboog"
    assert "Hallo Piet Jansen," in text and "Wij hebben geen leerling met deze naam." in text
    assert "<script" not in mail.get_body(("html",)).get_content()


def test_rejection_with_htmx_swaps_the_card(app, admin):
    request_id = _submit(app)
    response = _decide(admin, request_id, "reject", htmx=True, reason="<b>Nee</b>")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Afgewezen door" in html and "&lt;b&gt;Nee&lt;/b&gt;" in html
    assert "Er wachten geen aanvragen op een besluit." in html


@pytest.mark.parametrize("reason", ["", "   ", "x" * 10_000])
def test_rejection_needs_a_sensible_reason(app, admin, reason):
    request_id = _submit(app)
    response = _decide(admin, request_id, "reject", reason=reason)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Geef de reden" in html or "Gebruik hoogstens 1000 tekens." in html
    assert _status(app, request_id) == "pending"
    with app.app_context(), db.connection_context():
        assert OutboxMail.select().count() == 0


def test_a_staff_address_cannot_be_approved_as_a_parent(app, admin):
    request_id = _submit(app, email=TEACHER)
    response = _decide(admin, request_id, "approve", htmx=True, pupil=_pupil_id(app))
    assert response.status_code == 422
    assert _status(app, request_id) == "pending"


def test_a_parent_with_an_account_gets_the_child_linked(app, admin, smtp_server):
    request_id = _submit(app, email=PARENT, child_first_name="Lotte", child_last_name="Bakker")
    _decide(admin, request_id, "approve", pupil=_pupil_id(app, "Lotte", "Bakker"))
    run_worker(app)
    [mail] = smtp_server.to(PARENT)
    assert "Lotte Bakker (Groep 5) is nu aan je account gekoppeld" in mail.get_body(
        ("plain",)).get_content()


def _queue_statements(app, admin, monkeypatch):
    """How many SQL statements one load of the queue page runs."""
    statements = []
    real = type(db.obj).execute_sql

    def counting(self, sql, *args, **kwargs):
        statements.append(sql)
        return real(self, sql, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(type(db.obj), "execute_sql", counting)
        assert admin.get(QUEUE_URL).status_code == 200
    return len(statements)


def test_queue_queries_do_not_grow_with_the_number_of_requests(app, admin, monkeypatch):
    names = ["Jansen", "Bakker", "Visser", "Smit"]
    ids = [_submit(app, email=f"a{n}@example.org", child_last_name=names[n]) for n in range(2)]
    _decide(admin, ids[0], "reject", reason="Nee")
    few = _queue_statements(app, admin, monkeypatch)
    ids = [_submit(app, email=f"b{n}@example.org", child_last_name=names[n % 4])
           for n in range(8)]
    for request_id in ids[:3]:
        _decide(admin, request_id, "reject", reason="Nee")
    many = _queue_statements(app, admin, monkeypatch)
    print(f"queue page: {few} statements with 1 pending and 1 decided, {many} with 6 and 4")
    assert many == few


def test_pages_stay_light(app, client, admin):
    from tests.support.weight import LIMIT, first_load_bytes

    app.config["ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR"] = 100
    for n in range(10):
        _submit(app, email=f"ouder{n}@example.org", note="Wij zijn net verhuisd. " * 20)
    for who, url in ((client, FORM_URL), (admin, QUEUE_URL)):
        size = first_load_bytes(who, url)
        print(f"{url}: {size} bytes gzip")
        assert size <= LIMIT
