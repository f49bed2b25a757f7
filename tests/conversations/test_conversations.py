"""Conversations over HTTP: who may write to whom, who may read, answering in place, files."""

import io
import re
from pathlib import Path

import pytest

from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageAttachment,
)
from schoolportal.core.extensions import db
from schoolportal.core.models import OutboxMail, Pupil, User
from tests.support.queries import statements_for
from tests.support.web import (
    ADMIN,
    OTHER_PARENT,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
)

OFFICE = "administratie@example.org"
PDF = b"%PDF-1.7\nverslag\n"


def ids(app):
    """Ids of the demo people and children the tests use."""
    with app.app_context(), db.connection_context():
        users = {u.email: u.id for u in User.select()}
        pupils = {p.first_name: p.id for p in Pupil.select().where(
            Pupil.pupil_number.in_(["RB-1001", "RB-1002", "RB-1003", "RB-1004"]))}
    return users, pupils


def _token(client, url="/conversations/new"):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def start(client, recipient, subject="Sem en het zwemmen", body="Mag ik vrijdag meekijken?",
          token=True, **extra):
    """A parent starts a conversation through the real form; returns the response."""
    data = {"recipient": recipient, "subject": subject, "body": body, **extra}
    if token:
        data["csrf_token"] = _token(client)
    return client.post("/conversations/new", data=data)


def started_id(response):
    """The id of the conversation a start redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/conversations/(\d+)$", response.headers["Location"]).group(1))


def reply(client, conversation_id, body, htmx=False, **extra):
    """Answer in a conversation through its form."""
    url = f"/conversations/{conversation_id}"
    data = {"body": body, "csrf_token": _token(client, url), **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=data, headers=headers)


def counts(app):
    """Rows in the conversation tables and the outbox."""
    with app.app_context(), db.connection_context():
        return tuple(m.select().count() for m in (
            Conversation, ConversationMember, Message, MessageAttachment, OutboxMail))


@pytest.fixture
def to_sanne(app):
    """The recipient key for juf Sanne about Sem."""
    users, pupils = ids(app)
    return f"staff-{users[TEACHER]}-{pupils['Sem']}"


@pytest.fixture
def sem_conversation(app, parent, to_sanne):
    """ouder.jansen has written to juf Sanne about Sem, with a PDF attached."""
    response = start(parent, to_sanne, attachment=(io.BytesIO(PDF), "zwemdiploma.pdf"))
    return started_id(response)


def test_parent_sees_whom_they_may_write_to(parent):
    html = parent.get("/conversations/new").get_data(as_text=True)
    assert "juf Sanne, leerkracht van Sem" in html
    assert "De administratie (administratie en directie)" in html
    assert "meester Ahmed" not in html  # teaches another group
    assert ", ouder" not in html  # parents only when the school allows it


def test_parent_writes_to_a_teacher_of_their_child(app, parent, teacher, sem_conversation):
    page = parent.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert "Sem en het zwemmen" in page and "Mag ik vrijdag meekijken?" in page
    assert "Met juf Sanne" in page and "over Sem Jansen" in page
    assert "zwemdiploma.pdf" in page
    html = teacher.get("/conversations").get_data(as_text=True)
    assert '<span class="nav-badge">1' in html and "Sem en het zwemmen" in html
    assert "Mag ik vrijdag meekijken?" in teacher.get(
        f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert '<span class="nav-badge">' not in teacher.get("/conversations").get_data(as_text=True)


def test_the_teachers_home_card_lists_unread_conversations_until_read(teacher,
                                                                     sem_conversation):
    """Only conversations with a message the teacher has not read, asked for in SQL."""
    def card():
        html = teacher.get("/").get_data(as_text=True)
        return 'id="conversations-home-heading"' in html, \
            f'href="/conversations/{sem_conversation}"' in html

    assert card() == (True, True)
    teacher.get(f"/conversations/{sem_conversation}")  # read now
    assert card() == (False, False)

def test_answer_without_javascript_redirects_to_the_message(app, teacher, parent,
                                                           sem_conversation):
    response = reply(teacher, sem_conversation, "Je bent welkom om 10.15 uur.")
    assert response.status_code == 302
    assert re.search(rf"/conversations/{sem_conversation}#message-\d+$",
                     response.headers["Location"])
    html = parent.get("/conversations").get_data(as_text=True)
    assert '<span class="nav-badge">1' in html and "nieuw" in html
    page = parent.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert "Je bent welkom om 10.15 uur." in page


def test_answer_with_htmx_appends_in_place(app, teacher, sem_conversation):
    page = teacher.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    after = re.search(r'name="after" value="(\d+)"', page).group(1)
    response = reply(teacher, sem_conversation, "Tot vrijdag!", htmx=True, after=after)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<form") and 'id="conversations-reply"' in html
    assert '<hx-partial hx-target="#conversations-messages" hx-swap="beforeend">' in html
    assert "Tot vrijdag!" in html and "Mag ik vrijdag meekijken?" not in html  # only the new one
    assert "Tot vrijdag!" not in html.split("<hx-partial")[0]  # the form is empty again


def test_polling_gives_204_or_the_new_messages(app, parent, teacher, sem_conversation):
    page = parent.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    after = re.search(r'name="after" value="(\d+)"', page).group(1)
    url = f"/conversations/{sem_conversation}/messages?after={after}"
    assert parent.get(url, headers={"HX-Request": "true"}).status_code == 204
    reply(teacher, sem_conversation, "Antwoord van de juf")
    response = parent.get(url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Antwoord van de juf" in html and 'id="conversations-poll"' in html
    assert 'hx-trigger="click, focus from:window"' in html  # no timer keeps a session alive
    assert '<span class="nav-badge">' not in parent.get("/").get_data(as_text=True)  # read now
    plain = parent.get(url)  # without htmx: the conversation page itself
    assert plain.status_code == 302 and plain.headers["Location"].endswith(
        f"/conversations/{sem_conversation}")


def test_conversation_page_full_and_htmx_error_fragment(teacher, sem_conversation):
    full = teacher.get(f"/conversations/{sem_conversation}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    response = reply(teacher, sem_conversation, "", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert 'id="conversations-reply"' in html and "Schrijf een bericht." in html


@pytest.mark.parametrize("who", [OTHER_PARENT, TWO_GROUP_PARENT, OTHER_TEACHER, ADMIN, OFFICE])
def test_nobody_else_reads_the_conversation_or_its_file(app, login_as, sem_conversation, who):
    with app.app_context(), db.connection_context():
        file_id = MessageAttachment.select().get().id
    outsider = login_as(who)
    before = counts(app)
    urls = [f"/conversations/{sem_conversation}",
            f"/conversations/{sem_conversation}/messages?after=0",
            f"/conversations/files/{file_id}"]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
        assert outsider.get(url, headers={"HX-Request": "true"}).status_code == 404, url
    token = _token(outsider, "/conversations")
    response = outsider.post(f"/conversations/{sem_conversation}",
                             data={"body": "Ik lees mee", "csrf_token": token})
    assert response.status_code == 404
    html = outsider.get("/conversations").get_data(as_text=True)
    assert "Sem en het zwemmen" not in html
    assert counts(app) == before


@pytest.mark.parametrize("guess", ["/conversations/{id}", "/conversations/999999",
                                   "/conversations/99999999999999999999",
                                   "/conversations/files/{file}", "/conversations/files/999999",
                                   "/conversations/{id}/messages?after=-1"])
def test_guessed_ids_give_404(app, other_parent, sem_conversation, guess):
    with app.app_context(), db.connection_context():
        file_id = MessageAttachment.select().get().id
    assert other_parent.get(guess.format(id=sem_conversation, file=file_id)).status_code == 404


def test_logged_out_visitor_reaches_nothing(client, sem_conversation):
    for url in ("/conversations", f"/conversations/{sem_conversation}", "/conversations/new",
                "/conversations/files/1", "/directory", "/directory/settings",
                "/conversations/office-hours"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_members_download_the_attachment(app, parent, teacher, sem_conversation):
    with app.app_context(), db.connection_context():
        file_id = MessageAttachment.select().get().id
    for member in (parent, teacher):
        response = member.get(f"/conversations/files/{file_id}")
        assert response.status_code == 200 and response.data == PDF
        assert "attachment" in response.headers["Content-Disposition"]
        assert "zwemdiploma.pdf" in response.headers["Content-Disposition"]


def test_a_refused_file_sends_nothing(app, parent, to_sanne):
    before = counts(app)
    response = start(parent, to_sanne, attachment=(io.BytesIO(b"MZ\x90\x00 exe"), "spel.exe"))
    assert response.status_code == 422
    assert "Dit soort bestand wordt niet geaccepteerd." in response.get_data(as_text=True)
    assert counts(app) == before
    assert not list((Path(app.config["MEDIA_ROOT"]) / "messages").glob("*"))


def test_admin_reads_under_the_safeguarding_setting_without_writing(app, admin,
                                                                     sem_conversation):
    app.config["SAFEGUARDING_ADMIN_READ"] = True
    page = admin.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert "Mag ik vrijdag meekijken?" in page and "veiligheid van kinderen" in page
    assert 'id="conversations-reply"' not in page
    assert "Sem en het zwemmen" in admin.get("/conversations?all=1").get_data(as_text=True)
    before = counts(app)
    token = _token(admin, "/conversations")
    response = admin.post(f"/conversations/{sem_conversation}",
                          data={"body": "Meelezen", "csrf_token": token})
    assert response.status_code == 302 and counts(app) == before


def test_parent_writes_to_the_office_and_any_admin_answers(app, parent, login_as):
    conversation_id = started_id(start(parent, "office", subject="Verhuizing",
                                       body="Wij verhuizen in mei."))
    office = login_as(OFFICE)
    html = office.get("/conversations").get_data(as_text=True)
    assert "Verhuizing" in html and '<span class="nav-badge">1' in html
    assert reply(office, conversation_id, "Dank je, we passen het adres aan.").status_code == 302
    director = login_as(ADMIN)
    # The office answered: for the director it is not unread any more, but readable.
    assert '<span class="nav-badge">' not in director.get("/").get_data(as_text=True)
    page = director.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "we passen het adres aan" in page
    assert "Met de administratie" in parent.get(
        f"/conversations/{conversation_id}").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("body", "", "Schrijf een bericht."),
    ("body", "   \n\t ", "Schrijf een bericht."),
    ("body", "x" * 50_000, "Een bericht mag hoogstens 5000 tekens lang zijn."),
    ("body", "Hallo\x00daar", "niet toegestaan"),
    ("subject", "", "Vul een onderwerp in."),
    ("subject", "o" * 10_000, "Gebruik hoogstens 150 tekens."),
    ("recipient", "", "Kies iemand uit de lijst"),
    ("recipient", "office-2", "Kies iemand uit de lijst"),
    ("recipient", "x" * 10_000, "Kies iemand uit de lijst"),
])
def test_bad_input_on_start_changes_nothing(app, parent, to_sanne, field, value, message):
    before = counts(app)
    data = {"recipient": to_sanne, field: value}
    response = start(parent, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app) == before


@pytest.mark.parametrize(("body", "message"), [
    ("", "Schrijf een bericht."),
    ("x" * 50_000, "Een bericht mag hoogstens 5000 tekens lang zijn."),
    ("Hallo\x00daar", "niet toegestaan"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_on_answer_changes_nothing(app, teacher, sem_conversation, body, message,
                                             htmx):
    before = counts(app)
    response = reply(teacher, sem_conversation, body, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert ("<html" in html) is not htmx
    assert counts(app) == before


def test_unicode_survives_unchanged(app, parent, teacher, sem_conversation):
    text = "Groetjes 👋 — עברית, العربية, Zoë & <b>vet</b>\nTweede regel"
    assert reply(teacher, sem_conversation, text).status_code == 302
    page = parent.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert "Groetjes 👋 — עברית, العربية, Zoë &amp; &lt;b&gt;vet&lt;/b&gt;\nTweede regel" in page


@pytest.mark.parametrize("recipient", ["teacher_of_other_group", "other_parent", "admin_user"])
def test_a_recipient_the_parent_may_not_reach_is_refused(app, parent, recipient):
    users, pupils = ids(app)
    key = {"teacher_of_other_group": f"staff-{users[OTHER_TEACHER]}-{pupils['Sem']}",
           "other_parent": f"parent-{users[OTHER_PARENT]}",
           "admin_user": f"staff-{users[ADMIN]}-{pupils['Sem']}"}[recipient]
    before = counts(app)
    response = start(parent, key)
    assert response.status_code == 422
    assert "Kies iemand uit de lijst om aan te schrijven." in response.get_data(as_text=True)
    assert counts(app) == before


def test_parents_write_to_parents_only_when_the_school_allows_it(app, parent, login_as):
    from schoolportal.conversations import directory

    users, _pupils = ids(app)
    with app.app_context(), db.connection_context():
        directory.save_entry(User.get_by_id(users[TWO_GROUP_PARENT]), True, False, False, "")
    key = f"parent-{users[TWO_GROUP_PARENT]}"
    assert start(parent, key).status_code == 422
    app.config["PARENT_TO_PARENT_MESSAGES"] = True
    assert "Nadia El Mansouri, ouder" in parent.get("/conversations/new").get_data(as_text=True)
    conversation_id = started_id(start(parent, key, subject="Speelafspraak"))
    other = login_as(TWO_GROUP_PARENT)
    assert "Speelafspraak" in other.get(f"/conversations/{conversation_id}").get_data(
        as_text=True)
    # Someone who did not choose to appear in the directory stays unreachable.
    assert start(parent, f"parent-{users[OTHER_PARENT]}").status_code == 422


@pytest.mark.parametrize("token", [None, "", "vervalst", "x" * 10_000])
def test_without_a_valid_csrf_token_nothing_changes(app, parent, to_sanne, sem_conversation,
                                                    token):
    before = counts(app)
    data = {"recipient": to_sanne, "subject": "Hoi", "body": "Hallo"}
    if token is not None:
        data["csrf_token"] = token
    response = parent.post("/conversations/new", data=data)
    assert response.status_code == 400 and "verlopen" in response.get_data(as_text=True)
    response = parent.post(f"/conversations/{sem_conversation}", data=data)
    assert response.status_code == 400
    assert counts(app) == before


def test_messages_cannot_be_edited_or_deleted(app, parent, sem_conversation):
    with app.app_context(), db.connection_context():
        message_id = Message.select().get().id
    methods = {method for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("conversations.") for method in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS", "POST"}
    token = _token(parent, f"/conversations/{sem_conversation}")
    for url in (f"/conversations/{sem_conversation}/messages/{message_id}",
                f"/conversations/{sem_conversation}/messages/{message_id}/edit"):
        response = parent.post(url, data={"body": "Anders", "csrf_token": token})
        assert response.status_code in (404, 405)
    for method in ("put", "patch", "delete"):
        assert getattr(parent, method)(f"/conversations/{sem_conversation}").status_code == 405
    with app.app_context(), db.connection_context():
        assert Message.get_by_id(message_id).body == "Mag ik vrijdag meekijken?"


# --- staff start a conversation with guardians ----------------------------------------------

def test_teacher_picks_a_pupil_of_her_group(teacher):
    html = teacher.get("/conversations/new").get_data(as_text=True)
    assert "Sem Jansen" in html and "Yasmin El Mansouri" in html
    assert "Lotte Bakker" not in html and "Adam El Mansouri" not in html
    assert "Sem Jansen" in teacher.get("/conversations/new?q=jans").get_data(as_text=True)


def test_teacher_writes_to_one_of_two_guardians(app, teacher):
    pupil_id, first, second = _pupil_with_two_guardians(app)
    url = f"/conversations/new?pupil={pupil_id}"
    html = teacher.get(url).get_data(as_text=True)
    assert first.display_name in html and second.display_name in html
    assert html.count('type="checkbox"') == 2 and html.count("checked") == 2  # both by default
    data = {"guardians": [str(first.id)], "subject": "Gymschoenen", "body": "Graag meegeven.",
            "csrf_token": csrf_token_from(html)}
    conversation_id = started_id(teacher.post(url, data=data))
    with app.app_context(), db.connection_context():
        members = {m.user_id for m in ConversationMember.select().where(
            ConversationMember.conversation == conversation_id)}
        assert Conversation.get_by_id(conversation_id).pupil_id == pupil_id
    assert members == {ids(app)[0][TEACHER], first.id}


def _pupil_with_two_guardians(app):
    """A Groep 1/2A pupil with two activated guardians: (pupil id, guardian, guardian)."""
    from schoolportal.core.models import Group, Guardianship

    with app.app_context(), db.connection_context():
        group = Group.get(Group.name == "Groep 1/2A")
        rows = (Guardianship.select(Guardianship, User).join(User)
                .switch(Guardianship).join(Pupil)
                .where((Pupil.group == group) & User.password_hash.is_null(False)))
        by_pupil = {}
        for row in rows:
            by_pupil.setdefault(row.pupil_id, []).append(row.guardian)
        pupil_id, guardians = next((k, v) for k, v in by_pupil.items() if len(v) == 2)
        return pupil_id, guardians[0], guardians[1]


def test_teacher_cannot_write_about_a_pupil_of_another_group(app, teacher):
    users, pupils = ids(app)
    url = f"/conversations/new?pupil={pupils['Lotte']}"
    assert teacher.get(url).status_code == 404
    token = _token(teacher)
    before = counts(app)
    response = teacher.post(url, data={"guardians": [str(users[OTHER_PARENT])], "subject": "x",
                                       "body": "y", "csrf_token": token})
    assert response.status_code == 404 and counts(app) == before


@pytest.mark.parametrize("guardians", [[], ["other_parent"], ["999999"], ["abc"]])
def test_teacher_chooses_only_guardians_of_the_pupil(app, teacher, guardians):
    users, pupils = ids(app)
    chosen = [str(users[OTHER_PARENT]) if g == "other_parent" else g for g in guardians]
    url = f"/conversations/new?pupil={pupils['Sem']}"
    before = counts(app)
    response = teacher.post(url, data={"guardians": chosen, "subject": "Hoi", "body": "Hallo",
                                       "csrf_token": _token(teacher, url)})
    assert response.status_code == 422
    assert re.search(r"Kies (minstens één ouder/verzorger|alleen ouders/verzorgers uit de lijst)",
                     response.get_data(as_text=True))
    assert counts(app) == before


def test_parent_cannot_use_the_staff_form(app, parent):
    _users, pupils = ids(app)
    html = parent.get(f"/conversations/new?pupil={pupils['Sem']}").get_data(as_text=True)
    assert 'name="guardians"' not in html and 'name="recipient"' in html


def test_office_hours_tell_a_parent_when_to_expect_an_answer(app, teacher, parent,
                                                            sem_conversation):
    token = _token(teacher, "/conversations/office-hours")
    data = {"csrf_token": token}
    for day in range(5):
        data.update({f"starts_{day}": "00:00", f"ends_{day}": "00:01"})
    response = teacher.post("/conversations/office-hours", data=data)
    assert response.status_code == 302
    assert "Je spreekuren zijn opgeslagen." in teacher.get(
        "/conversations/office-hours").get_data(as_text=True)
    page = parent.get(f"/conversations/{sem_conversation}").get_data(as_text=True)
    assert "Het is nu buiten het spreekuur. Je kunt een antwoord verwachten vanaf" in page
    assert "00:00" in page
    assert "maandag 00:00–00:01" in parent.get("/conversations/new").get_data(as_text=True)


def test_bad_office_hours_change_nothing(app, teacher):
    from schoolportal.conversations.models import OfficeHours

    for data, message in [({"starts_0": "09:00"}, "Vul beide tijden in"),
                          ({"starts_1": "10:00", "ends_1": "09:00"}, "na het begin"),
                          ({"starts_2": "25:99", "ends_2": "26:00"}, "tijd")]:
        data["csrf_token"] = _token(teacher, "/conversations/office-hours")
        response = teacher.post("/conversations/office-hours", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    with app.app_context(), db.connection_context():
        assert OfficeHours.select().count() == 0


def test_parents_have_no_office_hours_page(parent):
    assert parent.get("/conversations/office-hours").status_code == 403


# --- bounded queries and light pages --------------------------------------------------------

def _fill(app, conversations, messages):
    """Conversations between ouder.jansen and juf Sanne with several messages and a file each."""
    from schoolportal.conversations import service

    with app.app_context(), db.connection_context():
        parent, sanne = User.by_email(PARENT), User.by_email(TEACHER)
        pupil = Pupil.get(Pupil.pupil_number == "RB-1001")
        last = None
        for n in range(conversations):
            last = service.start(parent, f"Vraag {n}", "Eerste bericht " * 20, [sanne],
                                   pupil=pupil, upload=_upload(f"bijlage{n}.pdf"))
            for m in range(messages - 1):
                service.post(last, sanne if m % 2 == 0 else parent, f"Antwoord {m} " * 10)
        return last.id


def _upload(name):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(PDF), filename=name)


def test_queries_do_not_grow_with_conversations_or_messages(app, parent, monkeypatch):
    first = _fill(app, 1, 1)
    few = {url: statements_for(parent, url)
           for url in ("/conversations", f"/conversations/{first}")}
    last = _fill(app, 12, 6)
    many = {url: statements_for(parent, url)
            for url in ("/conversations", f"/conversations/{last}")}
    print(f"statements with 1 conversation of 1 message: {few}; with 13, the last of 6: {many}")
    assert list(many.values()) == list(few.values())


def test_pages_stay_light(app, parent, teacher, groups):
    from schoolportal.conversations import directory
    from tests.support.weight import LIMIT, first_load_bytes

    last = _fill(app, 30, 40)
    with app.app_context(), db.connection_context():
        for user in User.select().where(User.role == "parent").limit(40):
            directory.save_entry(user, True, True, True, "06 12345678")
    for client, url in ((parent, "/conversations"), (parent, f"/conversations/{last}"),
                        (parent, "/conversations/new"), (teacher, "/conversations/new"),
                        (parent, f"/groups/{groups['Groep 1/2A'].id}/directory")):
        size = first_load_bytes(client, url)
        print(f"{url}: {size} bytes gzip")
        assert size <= LIMIT, url
