"""An erased family stays erased when an older backup comes back: the journal replays it."""

import json
from datetime import date
from pathlib import Path

import pytest

from schoolportal.core import database
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, Pupil, User
from schoolportal.family_data import erasure, journal, replay
from schoolportal.family_data.models import SCHEDULED, Erasure
from tests.family_data.test_erasure import CO_PARENT, SECRETS, find_anywhere, seed_family
from tests.support.web import OTHER_PARENT, TWO_GROUP_PARENT, login
from tests.system.schools import database_url, portal, run

ENGINES = ["sqlite", "postgresql"]


def _school_with_a_family(engine, request, folder):
    """A portal with the demo school and the El Mansouri family's data in every area."""
    from schoolportal import demo

    app = portal(database_url(engine, request, folder), folder)
    with app.app_context(), db.connection_context():
        database.migrate()
        demo.seed(school_today(), examples=False)
        seeded = seed_family(app)
    return app, seeded


def _backups(directory):
    """The backup folders in a directory, oldest first."""
    return sorted(p for p in directory.iterdir() if p.name.startswith("schoolportal-"))


def _erase_el_mansouri_and_close_bakker(app):
    """After the first backup: one family erased for good, another waiting for its day."""
    app.config["ERASURE_DELAY_DAYS"] = 0
    with app.app_context(), db.connection_context():
        erasure.schedule(User.by_email(TWO_GROUP_PARENT), "request", school_today())
        app.config["ERASURE_DELAY_DAYS"] = 30
        erasure.schedule(User.by_email(OTHER_PARENT), "request", school_today())
    assert "Retention erasures: removed 1." in run(app, "purge")


def _assert_erased(app, seeded):
    """Nothing of the El Mansouri family anywhere; Bakker's account closed and waiting."""
    with app.app_context(), db.connection_context():
        assert find_anywhere(SECRETS + [TWO_GROUP_PARENT, CO_PARENT]) == []
        assert Pupil.select().where(Pupil.id.in_(seeded["pupils"])).count() == 0
        bakker = User.by_email(OTHER_PARENT)
        assert not bakker.active
        assert Erasure.get((Erasure.account == bakker) & (Erasure.status == SCHEDULED))
    on_disk = {p.name for p in Path(app.config["MEDIA_ROOT"]).rglob("*") if p.is_file()}
    assert on_disk and not on_disk & set(seeded["files"])
    assert login(app.test_client(), TWO_GROUP_PARENT).status_code != 302
    assert login(app.test_client(), OTHER_PARENT).status_code != 302


@pytest.mark.parametrize("engine", ENGINES)
def test_restoring_an_older_backup_on_a_new_server_erases_the_family_again(
        engine, request, tmp_path):
    source, seeded = _school_with_a_family(engine, request, tmp_path / "old-server")
    backups = tmp_path / "backups"
    run(source, "backup", str(backups))
    _erase_el_mansouri_and_close_bakker(source)
    run(source, "backup", str(backups))  # the nightly backup after the erasure
    older, newer = _backups(backups)
    assert json.loads((older / "manifest.json").read_text())["erasure_journal"]["events"] == 0
    assert json.loads((newer / "manifest.json").read_text())["erasure_journal"]["events"] == 3

    # The server is lost; the newest backup turns out damaged, so the older one is restored.
    (newer / "database.sqlite3").unlink(missing_ok=True)
    (newer / "database.pgdump").unlink(missing_ok=True)
    target = portal(database_url(engine, request, tmp_path / "new-server"),
                    tmp_path / "new-server")
    output = run(target, "restore", str(older))
    assert "Erasures replayed from the journal: 1 done, 1 scheduled." in output
    _assert_erased(target, seeded)
    with target.app_context(), db.connection_context():
        assert [e.details for e in AuditEntry.select().where(AuditEntry.action == "restore")]
        events = journal.read(journal.path())
        assert [e["event"] for e in events] == ["scheduled", "scheduled", "done"]
        assert replay.replay(events) == {}  # replaying again changes nothing


def test_restoring_in_place_reads_the_installations_own_journal(request, tmp_path):
    source, seeded = _school_with_a_family("sqlite", request, tmp_path / "server")
    run(source, "backup", str(tmp_path / "backups"))
    _erase_el_mansouri_and_close_bakker(source)
    [older] = _backups(tmp_path / "backups")
    # An update went wrong: the office restores last night's backup over the portal.
    output = run(source, "restore", "--force", str(older))
    assert "1 done, 1 scheduled" in output
    _assert_erased(source, seeded)


def test_a_cancelled_erasure_is_cancelled_again_and_the_family_keeps_access(request, tmp_path):
    source, _seeded = _school_with_a_family("sqlite", request, tmp_path / "server")
    with source.app_context(), db.connection_context():
        scheduled = erasure.schedule(User.by_email(OTHER_PARENT), "request", school_today())
    run(source, "backup", str(tmp_path / "backups"))  # the backup still has it scheduled
    with source.app_context(), db.connection_context():
        erasure.cancel(scheduled)
    [older] = _backups(tmp_path / "backups")
    output = run(source, "restore", "--force", str(older))
    assert "1 cancelled" in output
    assert login(source.test_client(), OTHER_PARENT).status_code == 302


def test_the_journal_holds_ids_and_fingerprints_only(app, db_ctx):
    erasure.schedule(User.by_email(TWO_GROUP_PARENT), "request", school_today())
    text = Path(journal.path()).read_text()
    assert "mansouri" not in text.lower() and "@" not in text and "Yasmin" not in text
    [line] = [json.loads(t) for t in text.splitlines()]
    assert line["event"] == "scheduled" and len(line["pupils"]) == 2
    assert all(isinstance(i, int) and len(p) == 16 for i, p in line["pupils"] + line["accounts"])


def test_a_row_that_reuses_an_erased_rows_id_is_not_touched(app, db_ctx):
    nadia = User.by_email(TWO_GROUP_PARENT)
    found = erasure.schedule(nadia, "request", school_today())
    [line] = journal.read(journal.path())
    line = {**line, "event": "done", "key": "999:2000-01-01T00:00:00"}
    # Same ids, other rows: as after a restore into a database that moved on meanwhile.
    erasure.cancel(found)
    Pupil.update(created_at=date(2001, 1, 1)).where(
        Pupil.id.in_([i for i, _ in line["pupils"]])).execute()
    User.update(created_at=date(2001, 1, 1)).where(User.id == nadia.id).execute()
    assert replay.replay([line]) == {}
    assert User.by_email(TWO_GROUP_PARENT).active
