"""The database connection: SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on. Writers open their transaction with
BEGIN IMMEDIATE and wait on a busy timeout, so two writers queue up instead of one of
them failing with "database is locked" halfway through.
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import PostgresqlDatabase, SqliteDatabase
from peewee_migrate import Router

from .extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 15000,
    "cache_size": -16000,
}


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
        return PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
        )
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


def is_sqlite():
    """True when the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def write_transaction():
    """A transaction for writes that belong together (BEGIN IMMEDIATE on SQLite)."""
    if is_sqlite() and not db.obj.in_transaction():
        return db.obj.atomic("IMMEDIATE")
    return db.atomic()


def migrate(fake=False):
    """Bring the database to the current schema by running pending migrations."""
    router = Router(db.obj, migrate_dir=MIGRATIONS_DIR, ignore=["basemodel"])
    router.logger.setLevel("WARNING")
    return router.run(fake=fake)
