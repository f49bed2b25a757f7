"""The database connection: SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on. Writers open their transaction with
BEGIN IMMEDIATE and wait on a busy timeout, so two writers queue up instead of one of
them failing with "database is locked" halfway through.
"""

import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import SqliteDatabase
from peewee_migrate import Router
from playhouse.pool import PooledPostgresqlDatabase

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
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=15, autoconnect=True)
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
