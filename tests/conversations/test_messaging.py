"""The messaging domain without HTTP: unread counts, mail by preference, digests, demo."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from schoolportal.conversations import directory, service
from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    DirectoryEntry,
    Message,
    OfficeHours,
)
from schoolportal.core import worker
from schoolportal.core.clock import school_today
from schoolportal.core.database import write_transaction
from schoolportal.core.models import OutboxMail, Pupil, User
from tests.support.web import ADMIN, PARENT, TEACHER, run_worker

OFFICE = "administratie@example.org"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def person(email):
    return User.by_email(email)


def sem():
    return Pupil.get(Pupil.pupil_number == "RB-1001")


def parent_writes_to_sanne(body="Mag ik meekijken?"):
    """ouder.jansen starts a conversation with juf Sanne about Sem."""
    return service.start(person(PARENT), "Zwemmen", body, [person(TEACHER)], pupil=sem())


def mails(template=None):
    query = OutboxMail.select().order_by(OutboxMail.id)
    if template:
        query = query.where(OutboxMail.template == template)
    return list(query)


def test_unread_count_is_one_query_and_follows_reading(db_ctx, monkeypatch):
    conversation = parent_writes_to_sanne()
    sanne, parent = person(TEACHER), person(PARENT)
    statements = []
    real = type(db_ctx.obj).execute_sql
    monkeypatch.setattr(type(db_ctx.obj), "execute_sql",
                        lambda self, sql, *a, **k: statements.append(sql) or real(self, sql, *a,
                                                                                    **k))
    assert service.unread_count(sanne) == 1
    assert len(statements) == 1
    assert service.unread_count(parent) == 0  # own message
    service.mark_read(Conversation.get_by_id(conversation.id), sanne)
    assert service.unread_count(sanne) == 0
    with write_transaction():
        service.post(Conversation.get_by_id(conversation.id), sanne, "Welkom!")
    assert (service.unread_count(sanne), service.unread_count(parent)) == (0, 1)


def test_reading_never_moves_backwards(db_ctx):
    conversation = parent_writes_to_sanne()
    service.post(conversation, person(PARENT), "Nog een vraag")
    sanne = person(TEACHER)
    conversation = Conversation.get_by_id(conversation.id)
    service.mark_read(conversation, sanne)
    service.mark_read(conversation, sanne, message_id=1)
    assert service.last_read_by(conversation, sanne) == conversation.last_message_id


def test_a_burst_of_messages_gives_one_mail_until_it_is_read(db_ctx):
    conversation = parent_writes_to_sanne()
    for text in ("Nog iets", "En nog iets"):
        service.post(conversation, person(PARENT), text)
    assert [m.to_email for m in mails("conversations/new")] == [TEACHER]
    service.mark_read(Conversation.get_by_id(conversation.id), person(TEACHER))
    service.post(conversation, person(PARENT), "Na het lezen")
    assert [m.to_email for m in mails("conversations/new")] == [TEACHER, TEACHER]


def test_the_mail_says_who_wrote_but_not_what(app, db_ctx, smtp_server):
    conversation = parent_writes_to_sanne(body="Sem heeft een geheime allergie")
    run_worker(app)
    [message] = smtp_server.to(TEACHER)
    assert message["Subject"] == "Nieuw bericht van Eva Jansen"
    text = message.get_body(("plain",)).get_content()
    assert "Eva Jansen heeft je een bericht gestuurd" in text
    assert f"/conversations/{conversation.id}" in text
    assert "allergie" not in message.as_string() and "Zwemmen" not in message["Subject"]


def test_never_means_no_mail_and_daily_means_a_digest(app, db_ctx, smtp_server):
    User.update(mail_notifications="never").where(User.email == TEACHER).execute()
    conversation = parent_writes_to_sanne()
    assert mails() == []
    User.update(mail_notifications="daily").where(User.email == PARENT).execute()
    service.post(conversation, person(TEACHER), "Antwoord één")
    service.post(conversation, person(TEACHER), "Antwoord twee")
    other = service.start(person(TEACHER), "Gymschoenen", "Graag meegeven",
                            [person(PARENT)], pupil=sem())
    assert mails() == []  # nothing at once for a daily reader
    assert worker.DAILY_JOBS["message_digest"] is service.send_digests
    assert service.send_digests() == 1
    assert service.send_digests() == 0  # nothing new since
    [digest] = mails("conversations/digest")
    assert digest.to_email == PARENT
    assert digest.subject == "Ongelezen berichten in 2 gesprekken"
    assert "nieuwe berichten voor je in 2 gesprekken" in digest.body_text
    assert "Antwoord" not in digest.body_text
    service.mark_read(Conversation.get_by_id(other.id), person(PARENT))
    service.post(conversation, person(TEACHER), "Antwoord drie")
    assert service.send_digests() == 1  # the conversation has news again
    assert "in 1 gesprek in het portaal" in mails("conversations/digest")[-1].body_text
    run_worker(app)
    assert {m["Subject"] for m in smtp_server.to(PARENT)} == {
        "Ongelezen berichten in 2 gesprekken", "Ongelezen berichten in 1 gesprek"}


def test_the_office_is_every_admin_and_answers_as_one(db_ctx):
    conversation = service.start(person(PARENT), "Verhuizing", "Wij verhuizen",
                                   [], with_office=True)
    members = {m.user.email for m in ConversationMember.select().where(
        ConversationMember.conversation == conversation.id)}
    assert members == {PARENT, ADMIN, OFFICE}
    assert {m.to_email for m in mails("conversations/new")} == {ADMIN, OFFICE}
    service.post(conversation, person(OFFICE), "Dank je")
    assert service.unread_count(person(ADMIN)) == 0
    assert service.unread_count(person(PARENT)) == 1
    [entry] = service.inbox(person(PARENT))
    assert entry.others == [] and entry.unread  # shown as "the office"


def test_a_new_admin_joins_office_conversations_at_the_next_message(db_ctx):
    conversation = service.start(person(PARENT), "Verhuizing", "Wij verhuizen",
                                   [], with_office=True)
    newcomer = User.create(email="nieuw@example.org", display_name="Nieuwe admin", role="admin",
                           password_hash="x")
    service.post(conversation, person(PARENT), "Nog een vraag")
    assert service.unread_count(newcomer) == 1


def test_messages_have_no_way_to_change(db_ctx):
    conversation = parent_writes_to_sanne()
    message = Message.get(Message.conversation == conversation.id)
    public = [name for name in dir(service) if not name.startswith("_")]
    assert not [name for name in public if name.startswith(("edit", "update", "change"))]
    assert message.body == "Mag ik meekijken?"


def test_the_database_refuses_an_empty_or_too_long_message(db_ctx):
    from peewee import IntegrityError

    conversation = parent_writes_to_sanne()
    for body in ("", "x" * 5001):
        with pytest.raises(IntegrityError), write_transaction():
            Message.create(conversation=conversation.id, author=person(PARENT).id, body=body)


# --- office hours -------------------------------------------------------------------------

def _hours(weekday, starts, ends):
    return OfficeHours(weekday=weekday, starts_at=starts, ends_at=ends)


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2030, 1, 7, 8, 10), None),  # Monday, inside
    (datetime(2030, 1, 7, 7, 0), datetime(2030, 1, 7, 8, 0)),  # Monday, before
    (datetime(2030, 1, 7, 9, 0), datetime(2030, 1, 9, 8, 0)),  # Monday after: Wednesday
    (datetime(2030, 1, 11, 16, 0), datetime(2030, 1, 14, 8, 0)),  # Friday: next Monday
])
def test_next_opening(now, expected):
    periods = [_hours(0, time(8, 0), time(8, 30)), _hours(2, time(8, 0), time(9, 0))]
    opening = directory.next_opening(periods, now.replace(tzinfo=AMSTERDAM))
    assert (opening.replace(tzinfo=None) if opening else None) == expected


def test_answer_expected_with_several_staff_and_in_utc():
    now = datetime(2030, 1, 7, 7, 0, tzinfo=AMSTERDAM)
    early, late = [_hours(0, time(8, 0), time(8, 30))], [_hours(0, time(12, 0), time(13, 0))]
    assert directory.answer_expected({1: early, 2: late}, now) == datetime(2030, 1, 7, 7, 0)
    assert directory.answer_expected({1: [], 2: []}, now) is None  # nothing promised
    inside = datetime(2030, 1, 7, 12, 30, tzinfo=AMSTERDAM)
    assert directory.answer_expected({1: early, 2: late}, inside) is None


def test_saving_office_hours_replaces_them(db_ctx):
    sanne = person(TEACHER)
    directory.save_hours(sanne, {0: (time(8), time(9)), 2: (time(12), time(13))})
    directory.save_hours(sanne, {4: (time(14), time(15))})
    assert [(h.weekday, directory.as_time(h.starts_at)) for h in
            directory.hours_of([sanne.id])[sanne.id]] == [(4, time(14))]


# --- demo ----------------------------------------------------------------------------------

def test_demo_conversations_are_seeded_once(db_ctx):
    from schoolportal.conversations.demo import seed as seed_conversations

    tables = (Conversation, ConversationMember, Message, OfficeHours, DirectoryEntry, OutboxMail)
    results = []
    for _ in range(2):
        with write_transaction():
            seed_conversations(school_today())
        results.append([model.select().count() for model in tables])
    assert results[0] == results[1]
    assert results[0][0] == 3 and results[0][-1] == 0  # three conversations, no mail
    assert service.unread_count(person(PARENT)) == 1  # juf Sanne answered Eva
    assert service.unread_count(person("meester.ahmed@example.org")) == 1
    subjects = [e.conversation.subject for e in service.inbox(person(PARENT))]
    assert subjects == ["Sem en het zwemmen"]
