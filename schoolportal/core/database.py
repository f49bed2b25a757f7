"""The database connection: SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on. Writers open their transaction with
BEGIN IMMEDIATE and wait on a busy timeout, so two writers queue up instead of one of
them failing with "database is locked" halfway through.

Both keep their connections open between requests (a pool per process): a new SQLite
connection costs 1.2 ms before its first row (the pragmas, and reading the schema of every
table again), more than most of a page's queries.
"""

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import SqliteDatabase
from peewee_migrate import Router
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from schoolportal.core.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
OWN_CONNECTION = "opens_own_connection"  # a view marked so is not connected before it runs
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 15000,
    "cache_size": -16000,
}


POOL_SIZE = 16  # PostgreSQL connections per process, at most (gunicorn threads + worker)
POOL_STALE_SECONDS = 300


def open_database(url):
    """Build a peewee database from a DATABASE_URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path.db or sqlite:////absolute/path.db, as in SQLAlchemy.
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if path in ("", ":memory:"):
            path = ":memory:"
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if path == ":memory:":  # each connection would be a database of its own
            return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=15, autoconnect=True)
        # Kept open between requests, handed from thread to thread (one at a time): a
        # connection given back rolls back what it left open. The pragmas run once per
        # connection, busy_timeout among them (`timeout` is the pool's wait for a free one).
        return PooledSqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, autoconnect=True, check_same_thread=False,
            max_connections=POOL_SIZE, stale_timeout=POOL_STALE_SECONDS, timeout=30)
    if parsed.scheme in ("postgres", "postgresql"):
        # A pool (peewee's own): a request gives its connection back instead of closing it,
        # so it does not pay for a new server process each time (at 19:00 that was a third
        # of a booking's time). Connections unused for POOL_STALE_SECONDS are closed.
        return PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            max_connections=POOL_SIZE, stale_timeout=POOL_STALE_SECONDS, timeout=30,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
        )
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


def close_every_connection():
    """Close the connections of every thread, kept ones too: before the database file is
    replaced (a restore), so no later request reads the old one."""
    db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()


def check_file_anew():
    """SQLite: open the database file as a new process would and read its schema; raises
    when that fails (then the kept connections go too, so requests open the file again). A
    kept connection would still read a file that has since been moved, replaced or broken:
    /healthz asks this first. Other databases: nothing to do."""
    if not isinstance(db.obj, PooledSqliteDatabase):
        return
    try:
        path = Path(db.obj.database)
        with path.open("rb") as file:  # the write-ahead log may still hold a page 1 of its own
            if file.read(16) != b"SQLite format 3\x00":
                raise sqlite3.DatabaseError(f"{path} is not a SQLite database")
        connection = sqlite3.connect(db.obj.database, timeout=5)
        try:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        db.obj.close_idle()
        raise


def opens_own_connection(view):
    """Mark a view that connects by itself (to answer even when the database does not)."""
    setattr(view, OWN_CONNECTION, True)
    return view


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def write_transaction():
    """A transaction for writes that belong together (BEGIN IMMEDIATE on SQLite)."""
    if is_sqlite() and not db.obj.in_transaction():
        return _sqlite_write()
    return db.atomic()


_SQLITE_WRITERS = threading.Lock()


@contextmanager
def _sqlite_write():
    """BEGIN IMMEDIATE, after the other threads of this process are done writing.

    SQLite lets a writer that finds the database locked sleep in steps of up to 100 ms
    before it looks again; threads of one process queue on a lock that wakes the next one
    at once instead, so only other processes are waited for that way.
    """
    with _SQLITE_WRITERS, db.obj.atomic("IMMEDIATE"):
        yield


def migrate(fake=False):
    """Bring the database to the current schema by running pending migrations."""
    router = Router(db.obj, migrate_dir=MIGRATIONS_DIR, ignore=["basemodel"])
    router.logger.setLevel("WARNING")
    return router.run(fake=fake)
