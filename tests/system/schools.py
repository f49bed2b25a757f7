"""Portals of the system tests' own: a database (SQLite file or PostgreSQL) and a media folder.

`create_app` binds the one database proxy, so a test works on one portal at a time: the
source until its backup is made, then the target.
"""

import gzip
import shutil
import sqlite3
from pathlib import Path

from peewee_migrate import Router

from schoolportal import create_app
from schoolportal.core import database
from schoolportal.core.extensions import db
from tests.conftest import _config
from tests.support.databases import _connect

RELEASE = Path(__file__).parent / "data" / "release-012.db.gz"
RELEASE_MIGRATION = "012_conversations"  # the last migration of the release it was made by


def database_url(engine, request, folder):
    """A new, empty database of this engine for a test."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'schoolportal.db'}"
    return request.getfixturevalue("postgres_databases")()


def portal(url, folder):
    """An app on this database, with its media and erasure journal under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(_config(url))
    app.config["MEDIA_ROOT"] = str(folder / "media")
    app.config["ERASURE_JOURNAL"] = str(folder / "erasure-journal.jsonl")
    return app


def run(app, *args):
    """A `flask` command on this app; returns its output (and asserts it worked)."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def load_release(url, folder):
    """Fill an empty database with the kept release database (made by migrations 001-012).

    SQLite gets the file itself. PostgreSQL gets the same schema from the same migrations,
    then every row copied over (booleans as booleans), then its sequences moved on.
    """
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "release.db"
    with gzip.open(RELEASE) as packed, open(copy, "wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    if url.startswith("sqlite:///"):
        shutil.copy(copy, url[len("sqlite:///"):])
        return
    db.initialize(database.open_database(url))
    with db.connection_context():
        router = Router(db.obj, migrate_dir=database.MIGRATIONS_DIR, ignore=["basemodel"])
        router.logger.setLevel("WARNING")
        router.run(RELEASE_MIGRATION)
    _copy_rows(sqlite3.connect(copy), _connect(url))


def _copy_rows(source, target):
    """Every row of every table from the SQLite release into the migrated PostgreSQL."""
    tables = [r[0] for r in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'migratehistory'")]
    with target.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # rows in any order
        for table in tables:
            cursor.execute("SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_name = %s", (table,))
            kinds = dict(cursor.fetchall())
            rows = source.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            names = [d[0] for d in rows.description]
            booleans = [kinds[n] == "boolean" for n in names]
            values = [tuple(bool(v) if flag and v is not None else v
                            for v, flag in zip(row, booleans, strict=True)) for row in rows]
            if values:
                columns = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                                   values)
            if kinds.get("id") in ("integer", "bigint"):  # a serial id, not a token
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
    source.close()
    target.close()
