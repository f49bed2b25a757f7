"""The mail outbox: written in the action's transaction, delivered once over real SMTP."""

import threading

import pytest

from schoolportal.core import outbox, worker
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENT,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from tests.support.smtp import free_port
from tests.support.web import PARENT, run_worker


def _queue(app, count=1, to=PARENT, language=None):
    """Queue `count` child_linked mails to a demo parent."""
    with app.app_context(), db.connection_context(), write_transaction():
        user = User.by_email(to)
        if language:
            user.language = language
        pupil = Pupil.select().first()
        return [outbox.send(user, "invitations/child_linked", f"Bericht {n}", pupil=pupil).id
                for n in range(count)]


def _statuses(app):
    with app.app_context(), db.connection_context():
        return [m.status for m in OutboxMail.select().order_by(OutboxMail.id)]


def test_mail_is_written_in_the_callers_transaction(app):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), app.app_context(), db.connection_context(), write_transaction():
        outbox.send(User.by_email(PARENT), "invitations/child_linked", "x", pupil=Pupil.get())
        raise Boom
    assert _statuses(app) == []


def test_worker_delivers_multipart_mail_in_the_recipients_language(app, smtp_server):
    _queue(app, language="en")
    assert "Sent 1 mails" in run_worker(app)
    [message] = smtp_server.to(PARENT)
    assert message["Subject"] == "Bericht 0"
    assert message.is_multipart()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "is now linked to your account" in text and "<html" in html
    assert "<img" not in html  # no tracking pixels
    assert _statuses(app) == [MAIL_SENT]


def test_dutch_is_the_default_language_of_mail(app, smtp_server):
    _queue(app)
    run_worker(app)
    [message] = smtp_server.to(PARENT)
    assert "is nu aan je account gekoppeld" in message.get_body(("plain",)).get_content()


def test_server_down_then_up_delivers_every_mail_exactly_once(app, smtp_server):
    _queue(app, count=5)
    good_port = smtp_server.port
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the server is "down"
    for _ in range(3):
        run_worker(app)
    assert _statuses(app) == [MAIL_PENDING] * 5 and smtp_server.messages == []
    with app.app_context(), db.connection_context():
        assert all(m.attempts == 3 and m.last_error for m in OutboxMail.select())
    app.config["MAIL_PORT"] = good_port
    run_worker(app)
    run_worker(app)  # a second round sends nothing again
    assert _statuses(app) == [MAIL_SENT] * 5
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == [f"Bericht {n}" for n in range(5)]


def test_retries_wait_longer_each_time(app, smtp_server):
    app.config.update(MAIL_RETRY_BASE_SECONDS=60, MAIL_PORT=free_port())
    [mail_id] = _queue(app)
    waits = []
    for _ in range(3):
        with app.app_context(), db.connection_context():
            OutboxMail.update(next_attempt_at=OutboxMail.created_at).execute()  # due now
        before = utcnow()
        run_worker(app)
        with app.app_context(), db.connection_context():
            waits.append((OutboxMail.get_by_id(mail_id).next_attempt_at - before).total_seconds())
    assert waits[0] == pytest.approx(60, abs=5)
    assert waits[1] == pytest.approx(120, abs=5)
    assert waits[2] == pytest.approx(240, abs=5)


def test_mail_is_marked_dead_after_the_last_attempt(app, smtp_server):
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_PORT=free_port())
    _queue(app)
    for _ in range(4):
        run_worker(app)
    assert _statuses(app) == [MAIL_DEAD]
    with app.app_context(), db.connection_context():
        assert [m.to_email for m in outbox.dead_mails()] == [PARENT]


def test_two_workers_at_once_send_each_mail_once(app, smtp_server):
    _queue(app, count=20)
    errors = []

    def work():
        try:
            with app.app_context(), db.connection_context():
                worker.run_once()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _statuses(app) == [MAIL_SENT] * 20
    assert len(smtp_server.messages) == 20


def test_portal_backend_keeps_mail_inside(app):
    app.config["MAIL_BACKEND"] = "portal"
    _queue(app, count=2)
    assert "Sent 2 mails" in run_worker(app)
    assert _statuses(app) == [MAIL_SENT, MAIL_SENT]


def test_daily_jobs_run_once_a_day(app):
    calls = []
    worker.DAILY_JOBS["test-job"] = lambda: calls.append(1)
    try:
        with app.app_context(), db.connection_context():
            assert "test-job" in worker.run_daily_jobs()
            assert "test-job" not in worker.run_daily_jobs()
    finally:
        del worker.DAILY_JOBS["test-job"]
    assert calls == [1]


def test_links_in_mail_use_base_url(app):
    app.config["BASE_URL"] = "https://portaal.example.org/school"
    with app.app_context():
        url = outbox.absolute_url("onboarding.activate", token="abc")
    assert url == "https://portaal.example.org/school/activate/abc"
