"""Retention: each rule counts what is due, the purge removes exactly that (files too)."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.conversations.models import Conversation, Message, MessageAttachment
from schoolportal.core import retention, worker
from schoolportal.core import retention as core_retention
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    AuditEntry,
    JobRun,
    KnownDevice,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from tests.support.web import ADMIN, PARENT

TODAY = date(2026, 11, 20)
OLD, NEW = timedelta(days=2 * 365 + 5), timedelta(days=10)


def _file(app, area, name):
    """Write a stored file under MEDIA_ROOT/<area>; returns its path."""
    path = Path(app.config["MEDIA_ROOT"]) / area / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def _album(app, age, stem):
    """An album made `age` ago with one tagged photo in two widths; returns the photo files."""
    album = Album.create(title="Sinterklaas", created_at=utcnow() - age)
    photo = Photo.create(album=album, stem=stem, widths="320,640", width=640, height=480)
    PhotoTag.create(photo=photo, pupil=Pupil.get(Pupil.first_name == "Sem"))
    return [_file(app, "photos", name) for name in photo.file_names()]


def test_photos_go_with_every_file_after_the_setting(app, db_ctx):
    old_files = _album(app, OLD, "a" * 32)
    new_files = _album(app, NEW, "b" * 32)
    assert len(old_files) == 4
    rule = retention.RULES["photos"]
    assert retention.count_due(rule, TODAY) == 1
    assert rule.purge(TODAY) == 1
    assert not any(path.exists() for path in old_files)
    assert all(path.exists() for path in new_files)
    assert [a.title for a in Album.select()] == ["Sinterklaas"] and Photo.select().count() == 1
    assert PhotoTag.select().count() == 1 and retention.count_due(rule, TODAY) == 0
    app.config["RETENTION_PHOTOS_DAYS"] = 5
    assert retention.count_due(rule, TODAY) == 1


def _conversation(app, age, name):
    """A conversation whose last message was `age` ago, with an attached file."""
    parent = User.by_email(PARENT)
    conversation = Conversation.create(subject="Luizen", started_by=parent,
                                       last_message_at=utcnow() - age)
    message = Message.create(conversation=conversation, author=parent, body="Hallo")
    MessageAttachment.create(message=message, name=name, mimetype="text/plain", size=1,
                             download_name="briefje.txt")
    return _file(app, "messages", name)


def test_conversations_go_with_their_attachments(app, db_ctx):
    old = _conversation(app, OLD, "c" * 32 + ".txt")
    new = _conversation(app, NEW, "d" * 32 + ".txt")
    rule = retention.RULES["messages"]
    assert retention.count_due(rule, TODAY) == 1
    assert rule.purge(TODAY) == 1
    assert not old.exists() and new.exists()
    assert Message.select().count() == 1 and MessageAttachment.select().count() == 1
    assert retention.count_due(rule, TODAY) == 0


def test_absence_details_go_a_year_after_the_school_year(app, db_ctx):
    sem = Pupil.get(Pupil.first_name == "Sem")
    for key, start in (("old", date(2025, 3, 2)), ("new", date(2025, 10, 1))):
        AbsenceReport.create(pupil=sem, reason="sick", starts_on=start, ends_on=start,
                             submission_key=key)
        LeaveRequest.create(pupil=sem, starts_on=start, ends_on=start, reason="bruiloft",
                            submission_key=key)
    rule = retention.RULES["absence"]
    # the report and the leave of the school year 2024-2025
    assert retention.count_due(rule, TODAY) == 2
    assert rule.purge(TODAY) == 2
    assert [r.submission_key for r in AbsenceReport.select()] == ["new"]
    assert [r.submission_key for r in LeaveRequest.select()] == ["new"]


def test_audit_entries_go_after_the_setting(app, db_ctx):
    AuditEntry.create(action="export", at=utcnow() - timedelta(days=3 * 365 + 1))
    AuditEntry.create(action="export", at=utcnow() - timedelta(days=3 * 365 - 1))
    rule = retention.RULES["audit"]
    assert retention.count_due(rule, TODAY) == 1 and rule.purge(TODAY) == 1
    assert AuditEntry.select().count() == 1


def _mail(status, sent_ago):
    """An outbox row that was sent (or not) some days ago."""
    return OutboxMail.create(
        to_email="ouder@example.org", template="invitations/invitation", language="nl",
        subject="Hoi",
        body_text="tekst", body_html="<p>tekst</p>", status=status,
        sent_at=utcnow() - timedelta(days=sent_ago) if sent_ago is not None else None)


def test_sent_mail_goes_after_ninety_days_and_the_setting_is_read(app, db_ctx):
    old, recent, pending = _mail("sent", 91), _mail("sent", 30), _mail("pending", None)
    dead = _mail("dead", None)
    rule = retention.RULES["sent_mail"]
    assert retention.count_due(rule, TODAY) == 1
    app.config["RETENTION_SENT_MAIL_DAYS"] = 20
    assert retention.count_due(rule, TODAY) == 2 and rule.purge(TODAY) == 2
    left = {m.id for m in OutboxMail.select().where(OutboxMail.id.in_(
        [old.id, recent.id, pending.id, dead.id]))}
    assert left == {pending.id, dead.id}


def test_known_devices_are_forgotten_after_a_year_unused(app, db_ctx):
    admin = User.by_email(ADMIN)
    KnownDevice.create(user=admin, token_hash="1" * 64, last_seen_at=utcnow() - timedelta(400))
    KnownDevice.create(user=admin, token_hash="2" * 64, last_seen_at=utcnow() - timedelta(30))
    rule = retention.RULES["devices"]
    assert retention.count_due(rule, TODAY) == 1 and rule.purge(TODAY) == 1
    assert [d.token_hash for d in KnownDevice.select()] == ["2" * 64]


def test_flask_purge_carries_out_every_rule(app):
    with app.app_context(), db.connection_context():
        files = _album(app, OLD, "e" * 32)
        AuditEntry.create(action="export", at=datetime(2000, 1, 1))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Retention photos: removed 1." in result.output
    assert "Retention audit: removed 1." in result.output
    assert not any(path.exists() for path in files)
    for key in ("absence", "messages", "sent_mail", "devices"):
        assert f"Retention {key}: removed 0." in result.output


def test_every_own_rule_names_its_setting(app):
    with app.app_context():
        for key in ("absence", "photos", "messages", "audit", "sent_mail", "devices"):
            assert key in retention.RULES
            assert core_retention.setting_of(key)[1] > 0
        assert core_retention.setting_of("sent_mail") == ("RETENTION_SENT_MAIL_DAYS", 90)
        app.config["RETENTION_AUDIT_DAYS"] = 400
        assert core_retention.setting_of("audit") == ("RETENTION_AUDIT_DAYS", 400)
        assert core_retention.setting_of("unknown") == (None, None)


# --- the page ------------------------------------------------------------------------------

def test_retention_page_shows_policy_settings_counts_and_last_run(app, admin):
    with app.app_context(), db.connection_context():
        _album(app, OLD, "f" * 32)
        _album(app, OLD, "0" * 32)
        JobRun.create(name="retention_purge", day=date(2026, 11, 19),
                      started_at=datetime(2026, 11, 19, 2, 0))
    html = admin.get("/admin/retention").get_data(as_text=True)
    assert "<h1>Bewaartermijnen</h1>" in html
    for label in ("Verzuimgegevens", "Fotoalbums", "Berichten", "Logboek", "Verzonden e-mail"):
        assert f'<th scope="row">{label}</th>' in html, label
    assert "730 dagen" in html and "RETENTION_PHOTOS_DAYS" in html
    assert "90 dagen" in html and "RETENTION_SENT_MAIL_DAYS" in html
    photos_row = html[html.index('<th scope="row">Fotoalbums</th>'):]
    assert photos_row[:photos_row.index("</tr>")].rstrip().endswith("<td>2</td>")
    assert "19 nov 2026, 03:00" in html



def test_the_preview_counts_every_rule_in_one_statement_as_each_rule_counts_itself(app):
    """The retention page's figures: rules that answer with queries are counted together in
    one statement (plus one for each rule that counts itself), and agree with each rule."""
    from tests.support.queries import QueryCounter

    with app.app_context(), db.connection_context():
        _album(app, OLD, "e" * 32)
        itself = sum(1 for r in retention.RULES.values() if isinstance(r.due(TODAY), int))
        with QueryCounter() as counter:
            shown = dict((r.key, n) for r, n in retention.preview(TODAY))
        assert shown == {key: retention.count_due(r, TODAY) for key, r in retention.RULES.items()}
        assert shown["photos"] == 1
        assert counter.count <= 1 + itself + 3  # the leavers' rule reads its families itself

@pytest.mark.parametrize("path", ["/admin/retention", "/admin/audit"])
def test_admin_start_page_links_to_the_privacy_pages(admin, path):
    assert f'href="{path}"' in admin.get("/admin").get_data(as_text=True)


def test_the_worker_runs_the_purge_once_a_day(app):
    with app.app_context(), db.connection_context():
        assert "retention_purge" in worker.run_daily_jobs(TODAY)
        assert "retention_purge" not in worker.run_daily_jobs(TODAY)
