"""`flask restore BACKUP`: a backup back into an empty database and media folder.

In this order, stopping at the first thing that is wrong:

1. a backup of a newer version is refused; every file of the backup is checked against its
   SHA-256 in the manifest, before anything changes;
2. the target must be empty (no tables, no media files) unless `force` says to replace it;
3. the database is loaded and its rows counted against the manifest;
4. the migrations bring an older backup to the current schema;
5. the media files are copied and checked again;
6. the erasure journals (this installation's, the backup's, those of the other backups next
   to it and any given) are merged and replayed: a family erased after the backup was made
   is erased again before anyone can log in (family_data/replay.py);
7. the restore is written to the audit log.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from schoolportal.core import audit, database
from schoolportal.core.extensions import db
from schoolportal.family_data import journal, replay
from schoolportal.system import backup, engines, files


class RestoreError(Exception):
    """A restore that was refused or failed; the message is for the operator."""


@dataclass
class Restored:
    """What a restore did."""

    name: str
    rows: int
    files: int
    migrated: list
    replayed: dict


def run(folder, force=False, journals=()):
    """Restore the backup in `folder` into this app's database and media folder."""
    folder = Path(folder)
    manifest = files.read_manifest(folder)
    if manifest is None:
        raise RestoreError(f"{folder} is not a backup: it has no readable manifest.json.")
    engine = engines.for_url(current_app.config["DATABASE_URL"])
    if manifest["engine"] != engine.name:
        raise RestoreError(f"This backup holds a {manifest['engine']} database and the portal "
                           f"is set up for {engine.name}: restore it into the same kind.")
    known = {path.stem for path in database.MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.py")}
    if manifest["schema"]["migration"] not in known | {None}:
        raise RestoreError(f"This backup was made by a newer version of the portal (schema "
                           f"{manifest['schema']['migration']}): install that version first.")
    _verify(folder, manifest)
    media_root = Path(current_app.config["MEDIA_ROOT"])
    database.close_every_connection()  # the database file or tables are about to be replaced
    _make_room(engine, media_root, force)
    try:
        engine.load(folder / manifest["database"]["file"])
        found = engine.describe()["tables"]
    except engines.EngineError as error:
        raise RestoreError(str(error)) from error
    if found != manifest["tables"]:
        wrong = sorted(t for t in set(found) | set(manifest["tables"])
                       if found.get(t) != manifest["tables"].get(t))
        raise RestoreError(f"The restored database does not match the manifest: {wrong}.")
    with db.connection_context():
        migrated = database.migrate() or []
    for relative, expected in manifest["media"].items():
        digest, _size = files.copy(folder / "media" / relative, media_root / relative)
        if digest != expected["sha256"]:
            raise RestoreError(f"media/{relative} changed while it was copied.")
    events = journal.read(journal.path(), *_journals_next_to(folder), *journals)
    with db.connection_context():
        journal.write(events)  # this installation now knows every erasure it was told of
        replayed = replay.replay(events)
        with database.write_transaction():
            audit.record("restore", "backup", None, backup=manifest["name"],
                         migrations=len(migrated), erasures=sum(replayed.values()))
    return Restored(manifest["name"], sum(found.values()), len(manifest["media"]),
                    list(migrated), replayed)


def _verify(folder, manifest):
    """Every file the manifest lists is there with its checksum; else RestoreError."""
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"],
                manifest["erasure_journal"]["file"]: manifest["erasure_journal"]["sha256"]}
    expected.update({f"media/{path}": entry["sha256"] for path, entry in manifest["media"].items()})
    for relative, digest in expected.items():
        path = folder / relative
        if not path.is_file():
            raise RestoreError(f"The backup is incomplete: {relative} is missing.")
        if files.checksum(path)[0] != digest:
            raise RestoreError(f"The backup is damaged: {relative} does not match its checksum.")


def _make_room(engine, media_root, force):
    """Refuse a target that holds data, or (with force) empty it."""
    try:
        occupied = [] if engine.is_empty() else [f"the database ({engine.where()}) has tables"]
    except engines.EngineError as error:
        raise RestoreError(str(error)) from error
    if files.files_under(media_root):
        occupied.append(f"the media folder {media_root} holds files")
    if not occupied:
        return
    if not force:
        raise RestoreError("The target is not empty: " + " and ".join(occupied) + ". Restore "
                           "into an empty database and media folder, or add --force to replace "
                           "what is there (it is lost).")
    engine.clear()
    for child in media_root.iterdir() if media_root.is_dir() else ():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def _journals_next_to(folder):
    """The erasure journals of the other backups in the same directory (newer ones matter)."""
    return [other / journal.FILE_NAME for other, _manifest in backup.backups_in(folder.parent)
            if other.resolve() != folder.resolve()] + [folder / journal.FILE_NAME]
