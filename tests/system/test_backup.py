"""Backups that restore: the demo school comes back row for row and file for file.

Each test runs on SQLite and on PostgreSQL (a database of its own on the test server).
"""

import json
import os
import stat
import threading
import time

import pytest

from schoolportal import demo
from schoolportal.core import database
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, Heartbeat, LoginAttempt, Pupil
from schoolportal.system import backup
from tests.support.databases import checksums, rows_of
from tests.support.web import PARENT, login
from tests.system.schools import database_url, load_release, portal, run

ENGINES = ["sqlite", "postgresql"]


def _newest_migration():
    """The name of the last migration file."""
    return sorted(p.stem for p in database.MIGRATIONS_DIR.glob("[0-9]*.py"))[-1]


def _demo_portal(engine, request, folder, examples=True):
    """A portal with the demo school in it (with its photos and files when `examples`)."""
    url = database_url(engine, request, folder)
    app = portal(url, folder)
    with app.app_context(), db.connection_context():
        database.migrate()
        demo.seed(school_today(), examples=examples)
    return app, url


def _only_backup(directory):
    """The one backup folder in a directory."""
    [folder] = [p for p in directory.iterdir() if p.name.startswith("schoolportal-")]
    return folder


@pytest.mark.parametrize("engine", ENGINES)
def test_the_demo_school_comes_back_row_for_row_and_file_for_file(engine, request, tmp_path):
    source, source_url = _demo_portal(engine, request, tmp_path / "source")
    before = rows_of(source_url)
    media = checksums(source.config["MEDIA_ROOT"])
    assert len(before["pupil"]) == 60 and len(before["photo"]) > 10 and len(media) > 100

    output = run(source, "backup", str(tmp_path / "backups"))
    folder = _only_backup(tmp_path / "backups")
    assert f"Backup written: {folder}" in output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == engine
    assert manifest["schema"] == {"migration": _newest_migration(),
                                  "migrations": len(before["migratehistory"])}
    assert manifest["tables"] == {table: len(rows) for table, rows in before.items()}
    assert {path: entry["sha256"] for path, entry in manifest["media"].items()} == media
    # Personal data: only the portal's own user may read a backup.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / manifest["database"]["file"]).stat().st_mode) == 0o600
    with source.app_context(), db.connection_context():
        assert Heartbeat.get(Heartbeat.name == "backup").detail == folder.name

    target_url = database_url(engine, request, tmp_path / "target")
    target = portal(target_url, tmp_path / "target")
    output = run(target, "restore", str(folder))
    assert "0 migrations applied" in output and "none needed" in output

    after = rows_of(target_url)
    added = [row for row in after["audit_entry"] if row not in before["audit_entry"]]
    assert len(added) == 1 and "restore" in added[0] and folder.name in str(added)
    after["audit_entry"] = [row for row in after["audit_entry"] if row not in added]
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert checksums(target.config["MEDIA_ROOT"]) == media
    # And it is a working portal: the parent logs in and sees a photo of the group.
    client = target.test_client()
    assert login(client, PARENT).status_code == 302
    album = client.get("/albums").get_data(as_text=True)
    assert "Herfstwandeling in het bos" in album


@pytest.mark.parametrize("engine", ENGINES)
def test_restore_refuses_a_target_that_holds_data_unless_told(engine, request, tmp_path):
    source, source_url = _demo_portal(engine, request, tmp_path / "source", examples=False)
    run(source, "backup", str(tmp_path / "backups"))
    folder = _only_backup(tmp_path / "backups")
    with source.app_context(), db.connection_context():
        Pupil.update(first_name="Veranderd").where(Pupil.pupil_number == "RB-1001").execute()
    changed = rows_of(source_url)

    result = source.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1
    assert "The target is not empty: the database" in result.output and "--force" in result.output
    assert rows_of(source_url) == changed  # refused before anything changed

    run(source, "restore", "--force", str(folder))
    with source.app_context(), db.connection_context():
        assert Pupil.get(Pupil.pupil_number == "RB-1001").first_name == "Sem"
        assert AuditEntry.select().where(AuditEntry.action == "restore").count() == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_backup_is_refused_before_anything_changes(engine, request, tmp_path):
    source, _url = _demo_portal(engine, request, tmp_path / "source", examples=False)
    run(source, "backup", str(tmp_path / "backups"))
    folder = _only_backup(tmp_path / "backups")
    dump = folder / json.loads((folder / "manifest.json").read_text())["database"]["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    target_url = database_url(engine, request, tmp_path / "target")
    target = portal(target_url, tmp_path / "target")
    result = target.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1 and "does not match its checksum" in result.output
    assert rows_of(target_url) == {}
    assert not os.path.exists(target.config["MEDIA_ROOT"])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backup_of_an_older_release_is_migrated_when_restored(engine, request, tmp_path):
    source_url = database_url(engine, request, tmp_path / "source")
    load_release(source_url, tmp_path / "source")
    old = rows_of(source_url)
    source = portal(source_url, tmp_path / "source")
    run(source, "backup", str(tmp_path / "backups"))
    folder = _only_backup(tmp_path / "backups")
    assert json.loads((folder / "manifest.json").read_text())["schema"]["migration"] == (
        "012_conversations")

    target_url = database_url(engine, request, tmp_path / "target")
    target = portal(target_url, tmp_path / "target")
    output = run(target, "restore", str(folder))
    later = len(list(database.MIGRATIONS_DIR.glob("[0-9]*.py"))) - 12
    assert f"{later} migrations applied" in output
    new = rows_of(target_url)
    assert max(new["migratehistory"])[1] == _newest_migration()
    for table in ("pupil", "account", "post", "meeting_booking", "survey_answer"):
        assert len(new[table]) == len(old[table]) > 0, table
    client = target.test_client()
    assert login(client, PARENT).status_code == 302
    assert client.get("/").status_code == 200


def test_a_backup_of_a_newer_version_or_another_database_kind_is_refused(request, tmp_path):
    source, _url = _demo_portal("sqlite", request, tmp_path / "source", examples=False)
    run(source, "backup", str(tmp_path / "backups"))
    folder = _only_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    target = portal(database_url("sqlite", request, tmp_path / "target"), tmp_path / "target")

    newer = {**manifest, "schema": {"migration": "999_from_the_future", "migrations": 99}}
    (folder / "manifest.json").write_text(json.dumps(newer))
    result = target.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1 and "newer version of the portal" in result.output

    (folder / "manifest.json").write_text(json.dumps({**manifest, "engine": "postgresql"}))
    result = target.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1 and "restore it into the same kind" in result.output


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backup_taken_while_the_portal_writes_is_one_consistent_moment(
        engine, request, tmp_path):
    source, _url = _demo_portal(engine, request, tmp_path / "source", examples=False)
    stop, written = threading.Event(), []

    def busy_portal():
        """Failed logins arriving all the time, each in its own transaction."""
        with source.app_context(), db.connection_context():
            while not stop.is_set():
                with database.write_transaction():
                    LoginAttempt.create(email=f"x{len(written)}@example.org", ip="127.0.0.1")
                written.append(1)

    writer = threading.Thread(target=busy_portal)
    writer.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        with source.app_context():
            made = backup.make(tmp_path / "backups")
        while len(written) < made.manifest["tables"]["login_attempt"] + 20:
            time.sleep(0.01)  # and the writes go on after the snapshot
    finally:
        stop.set()
        writer.join(timeout=30)
    assert 0 < made.manifest["tables"]["login_attempt"] < len(written)
    target_url = database_url(engine, request, tmp_path / "target")
    target = portal(target_url, tmp_path / "target")
    run(target, "restore", str(made.path))  # restore checks every table against the manifest
    assert len(rows_of(target_url)["login_attempt"]) == made.manifest["tables"]["login_attempt"]
