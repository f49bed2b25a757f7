"""Mail failures against a real SMTP server (aiosmtpd) whose handler fails on purpose.

Whatever goes wrong, every mail ends up sent exactly once or marked dead with its reason:
a 4xx for one recipient is tried again later, a 5xx is dead at once, a connection dropped in
the middle of a batch or a server that stops answering leaves the rest for a later round.
"""

import pytest
from aiosmtpd.controller import Controller

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import MAIL_DEAD, MAIL_SENT, OutboxMail, Pupil, User, utcnow
from tests.support.smtp import FailingInbox, free_port
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, run_worker


@pytest.fixture
def failing_smtp(app):
    """A real SMTP server on 127.0.0.1 with a FailingInbox handler; yields the handler."""
    handler = FailingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BACKEND="smtp",
                      MAIL_TIMEOUT=1, MAIL_RETRY_BASE_SECONDS=0)
    yield handler
    controller.stop()


def _queue(app, emails):
    """One mail to each address (demo accounts), subject "Bericht <n>"; returns the ids."""
    with app.app_context(), db.connection_context(), write_transaction():
        pupil = Pupil.select().first()
        return [outbox.send(User.by_email(email), "invitations/child_linked", f"Bericht {n}",
                            pupil=pupil).id for n, email in enumerate(emails)]


def _rows(app):
    with app.app_context(), db.connection_context():
        return {row.id: row for row in OutboxMail.select()}


def _due_now(app):
    """Make every waiting mail due (as if the back-off had passed)."""
    with app.app_context(), db.connection_context():
        OutboxMail.update(next_attempt_at=utcnow()).execute()


def _received(handler):
    """How often each subject arrived."""
    subjects = [m["Subject"] for m in handler.messages]
    return {subject: subjects.count(subject) for subject in set(subjects)}


def test_a_4xx_for_one_recipient_is_retried_and_sent_once(app, failing_smtp):
    ids = _queue(app, [PARENT, OTHER_PARENT, TEACHER])
    failing_smtp.refuse = {OTHER_PARENT: "450 4.2.1 Mailbox busy, try later"}
    run_worker(app)
    rows = _rows(app)
    assert [rows[i].status for i in ids] == [MAIL_SENT, "pending", MAIL_SENT]
    assert "450" in rows[ids[1]].last_error and "Mailbox busy" in rows[ids[1]].last_error
    failing_smtp.healthy()
    _due_now(app)
    run_worker(app)
    run_worker(app)
    assert [r.status for r in _rows(app).values()] == [MAIL_SENT] * 3
    assert _received(failing_smtp) == {"Bericht 0": 1, "Bericht 1": 1, "Bericht 2": 1}


def test_a_5xx_for_one_recipient_is_dead_at_once_with_its_reason(app, failing_smtp):
    ids = _queue(app, [PARENT, OTHER_PARENT, TEACHER])
    failing_smtp.refuse = {OTHER_PARENT: "550 5.1.1 No such mailbox"}
    run_worker(app)
    failing_smtp.healthy()
    _due_now(app)
    run_worker(app)  # a dead mail is not tried again
    rows = _rows(app)
    assert [rows[i].status for i in ids] == [MAIL_SENT, MAIL_DEAD, MAIL_SENT]
    assert rows[ids[1]].last_error == "550 5.1.1 No such mailbox"
    assert rows[ids[1]].attempts == 1
    assert _received(failing_smtp) == {"Bericht 0": 1, "Bericht 2": 1}
    with app.app_context(), db.connection_context():
        assert [m.id for m in outbox.dead_mails()] == [ids[1]]


def test_a_connection_dropped_mid_batch_sends_each_mail_once(app, failing_smtp):
    ids = _queue(app, [PARENT, OTHER_PARENT, TEACHER, PARENT, OTHER_PARENT])
    failing_smtp.drop_at = 3
    run_worker(app)
    rows = _rows(app)
    assert [rows[i].status for i in ids] == [MAIL_SENT, MAIL_SENT] + ["pending"] * 3
    assert all(rows[i].last_error for i in ids[2:])
    failing_smtp.healthy()
    _due_now(app)
    run_worker(app)
    run_worker(app)
    assert [r.status for r in _rows(app).values()] == [MAIL_SENT] * 5
    assert _received(failing_smtp) == {f"Bericht {n}": 1 for n in range(5)}


def test_a_server_that_stops_answering_leaves_the_rest_for_later(app, failing_smtp):
    ids = _queue(app, [PARENT, OTHER_PARENT, TEACHER])
    failing_smtp.hang_at = 2
    run_worker(app)  # gives up after MAIL_TIMEOUT (1 s) instead of waiting for ever
    rows = _rows(app)
    assert [rows[i].status for i in ids] == [MAIL_SENT, "pending", "pending"]
    assert "timed out" in rows[ids[1]].last_error.lower()
    failing_smtp.healthy()
    _due_now(app)
    run_worker(app)
    assert [r.status for r in _rows(app).values()] == [MAIL_SENT] * 3
    assert _received(failing_smtp) == {"Bericht 0": 1, "Bericht 1": 1, "Bericht 2": 1}


def test_a_server_failing_every_time_ends_with_dead_mail_and_the_reason(app, failing_smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    [mail_id] = _queue(app, [PARENT])
    failing_smtp.refuse = {PARENT: "451 4.3.0 Temporary failure"}
    for _ in range(4):
        _due_now(app)
        run_worker(app)
    row = _rows(app)[mail_id]
    assert row.status == MAIL_DEAD and row.attempts == 3
    assert row.last_error == "451 4.3.0 Temporary failure"
    assert failing_smtp.messages == []
