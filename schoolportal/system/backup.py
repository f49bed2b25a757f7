"""`flask backup DIR`: one consistent, dated backup of the database and the media folder.

    DIR/schoolportal-2026-12-04-020000/
        manifest.json           schema version, rows per table, SHA-256 and size of every file
        database.sqlite3        SQLite: a copy through SQLite's online backup API
        database.pgdump         PostgreSQL: pg_dump --format=custom (engines.py)
        media/<area>/<file>     every uploaded file
        erasure-journal.jsonl   every erasure so far, for a later restore to replay

Consistent: the media folder is copied before the database snapshot and topped up after it.
A stored file is written once under a random name and never changed, so every file the
snapshot refers to is in the backup (one added meanwhile is there too, unused).
Whole or absent: the folder is written under a hidden name and renamed when complete.
Private: folders 0700, files 0600. Backups in DIR older than BACKUP_KEEP_DAYS are deleted
after a new one is complete (they hold personal data that the retention policy has since
removed from the portal).
"""

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from peewee import DatabaseError

from schoolportal.core.clock import utc_now
from schoolportal.core.extensions import db
from schoolportal.core.models import Heartbeat
from schoolportal.family_data import journal
from schoolportal.system import engines, files

PREFIX = "schoolportal-"
NAME_PATTERN = re.compile(r"schoolportal-\d{4}-\d{2}-\d{2}-\d{6}(-\d+)?")
PARTIAL = ".partial-"


class BackupError(Exception):
    """A backup that could not be made; the message is for the operator."""


@dataclass
class Backup:
    """A finished backup: where it is, its manifest, and the old backups removed."""

    path: Path
    manifest: dict
    removed: list

    @property
    def rows(self):
        """All rows in all tables."""
        return sum(self.manifest["tables"].values())

    @property
    def size(self):
        """Bytes of the database dump and the media files."""
        return self.manifest["database"]["bytes"] + sum(
            f["bytes"] for f in self.manifest["media"].values())


def make(directory, now=None):
    """Write a new backup into `directory`; returns the Backup."""
    now = now or utc_now()
    directory = Path(directory)
    name = _free_name(directory, now)
    work = directory / f"{PARTIAL}{name}"
    old_umask = os.umask(0o077)  # personal data: only the portal's own user may read it
    try:
        directory.mkdir(parents=True, exist_ok=True)
        work.mkdir()
        manifest = _write(work, name, now)
        os.rename(work, directory / name)
    except engines.EngineError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise BackupError(str(error)) from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    _record(name)
    return Backup(directory / name, manifest, prune(directory, now, keep=name))


def _write(work, name, now):
    """Fill the work folder: media, database, media again, journal, manifest."""
    engine = engines.for_url(current_app.config["DATABASE_URL"])
    media_root = Path(current_app.config["MEDIA_ROOT"])
    media = _copy_media(media_root, work / "media", {})
    database_file = work / engine.file_name
    described = engine.dump(database_file)
    media = _copy_media(media_root, work / "media", media)  # files added during the snapshot
    digest, size = files.checksum(database_file)
    source = journal.path()
    journal_file = work / journal.FILE_NAME
    if source.is_file():
        shutil.copyfile(source, journal_file)
    else:
        journal_file.touch()
    journal_digest, _size = files.checksum(journal_file)
    manifest = {
        "format": 1,
        "name": name,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "engine": engine.name,
        "database": {"file": engine.file_name, "sha256": digest, "bytes": size},
        "schema": {"migration": (described["migrations"] or [None])[-1],
                   "migrations": len(described["migrations"])},
        "tables": described["tables"],
        "media": media,
        "erasure_journal": {"file": journal.FILE_NAME, "sha256": journal_digest,
                            "events": len(journal.read(journal_file))},
    }
    files.write_manifest(work, manifest)
    return manifest


def _copy_media(root, target, copied):
    """Copy every media file not copied yet; {relative path: {"sha256", "bytes"}}."""
    copied = dict(copied)
    for relative in files.files_under(root):
        if relative in copied:
            continue
        try:
            digest, size = files.copy(root / relative, target / relative)
        except FileNotFoundError:
            continue  # deleted between the listing and the copy: not in the snapshot either
        copied[relative] = {"sha256": digest, "bytes": size}
    return copied


def _free_name(directory, now):
    """The dated name of a new backup (a suffix when two start in the same second)."""
    name = f"{PREFIX}{now:%Y-%m-%d-%H%M%S}"
    candidate, number = name, 1
    while (directory / candidate).exists() or (directory / f"{PARTIAL}{candidate}").exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def _record(name):
    """Tell the admins' system page that a backup was made (skipped on an older schema)."""
    try:
        with db.connection_context():
            Heartbeat.beat("backup", name)
    except DatabaseError:
        current_app.logger.warning("Backup %s made; not recorded (run flask init-db)", name)


def prune(directory, now, keep):
    """Delete backups in `directory` older than BACKUP_KEEP_DAYS (never `keep`); their names."""
    days = current_app.config.get("BACKUP_KEEP_DAYS", 30)
    removed = []
    for folder in sorted(Path(directory).iterdir()):
        if not folder.is_dir() or folder.name == keep:
            continue
        if folder.name.startswith(PARTIAL):  # left by a backup that crashed
            age = now - datetime.fromtimestamp(folder.stat().st_mtime, UTC)
            if age > timedelta(days=1):
                shutil.rmtree(folder)
            continue
        manifest = files.read_manifest(folder)
        if not days or not NAME_PATTERN.fullmatch(folder.name) or manifest is None:
            continue  # not ours, or keeping is switched off
        made = datetime.strptime(manifest["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if now - made > timedelta(days=days):
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def backups_in(directory):
    """(folder, manifest) of every finished backup in a directory, oldest first."""
    found = []
    for folder in sorted(Path(directory).iterdir()) if Path(directory).is_dir() else []:
        manifest = files.read_manifest(folder) if folder.is_dir() else None
        if manifest is not None and NAME_PATTERN.fullmatch(folder.name):
            found.append((folder, manifest))
    return sorted(found, key=lambda pair: pair[1]["created_at"])
