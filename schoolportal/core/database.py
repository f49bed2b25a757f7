"""The database connection: SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on. Writers open their transaction with
BEGIN IMMEDIATE and wait on a busy timeout, so two writers queue up instead of one of
them failing with "database is locked" halfway through.

Both keep their connections open between requests (a pool per process): a new SQLite
connection costs 1.2 ms before its first row (the pragmas, and reading the schema of every
table again), more than most of a page's queries.
"""

import itertools
import math
import re
import sqlite3
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee as pw
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


PREPARED_PER_CONNECTION = 200  # SELECT texts kept per PostgreSQL connection (LRU)
_PLACEHOLDER = re.compile(r"%%|%s")


class PreparingPostgresqlDatabase(PooledPostgresqlDatabase):
    """PostgreSQL, with the plans of the SELECT statements a connection is asked again kept.

    Planning the home page's one statement (cards and menu badges together) took PostgreSQL
    7 ms, running it 1. A SELECT outside a transaction is prepared on the server the second
    time its text comes on a connection (PREPARE, then EXECUTE with the values, in one round
    trip) and executed from the prepared one after that; PostgreSQL plans it for the values
    until a generic plan does as well (plan_cache_mode auto). The values still travel as
    values: the text and the types of the values are the key, each parameter declared with
    the type PostgreSQL gives the value psycopg2 writes into a plain statement
    (_declared_type), so the answer has the same types too. At most PREPARED_PER_CONNECTION
    statements per connection; the least recently used one is DEALLOCATEd in the next
    PREPARE's round trip.

    Inside a transaction nothing is prepared: a statement PostgreSQL cannot prepare (a value
    of unknown type) would abort it. Outside, such a statement is marked and runs as it is.
    A change of search_path or of a table makes PostgreSQL parse a prepared statement again;
    one whose result columns changed is dropped and run as it is.
    """

    def _execute_cursor(self, sql, params, **cursor_options):
        if cursor_options or not sql.startswith("SELECT") or self.in_transaction():
            return super()._execute_cursor(sql, params, **cursor_options)
        values = tuple(params or ())
        types = tuple(_declared_type(value) for value in values)
        key = (sql, types)
        known = _statements_of(self.connection())
        entry = known.texts.get(key)
        if entry is None:  # the first time: as it is, remembered
            known.remember(key, False)
            return super()._execute_cursor(sql, params)
        if entry is _UNPREPARABLE:
            return super()._execute_cursor(sql, params)
        known.texts.move_to_end(key)
        arguments = f" ({', '.join(['%s'] * len(values))})" if values else ""
        if entry is not False:
            try:
                return super()._execute_cursor(f"EXECUTE {entry}{arguments}", values)
            except pw.NotSupportedError:  # "cached plan must not change result type"
                del known.texts[key]
                known.dropped.append(entry)
                return super()._execute_cursor(sql, params)
        name = f"p{next(_NAMES)}"
        numbers = iter(range(1, len(values) + 1))
        body = _PLACEHOLDER.sub(lambda m: "%%" if m.group(0) == "%%" else f"${next(numbers)}",
                                sql)
        declared = f" ({', '.join(types)})" if types else ""
        # Gone whatever comes of this round trip: PostgreSQL runs a DEALLOCATE before a later
        # statement of the same string fails, and does not undo it then.
        dropped = "".join(f"DEALLOCATE {old}; " for old in known.dropped)
        known.dropped.clear()
        try:
            cursor = super()._execute_cursor(
                f"{dropped}PREPARE {name}{declared} AS {body}; EXECUTE {name}{arguments}", values)
        except (pw.ProgrammingError, pw.DataError, pw.InternalError, pw.NotSupportedError):
            known.remember(key, _UNPREPARABLE)  # "could not determine data type of $1"...
            return super()._execute_cursor(sql, params)
        known.remember(key, name)
        return cursor


def _declared_type(value):
    """The type PostgreSQL gives this value when psycopg2 writes it into the statement (5 is
    an integer, 1.5 numeric, a datetime '...'::timestamp), so a prepared statement answers
    exactly as the written one would; "unknown" (a string, None...) lets PostgreSQL infer it
    from where it stands, as it does for the quoted text psycopg2 writes."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if -2**31 <= value < 2**31 else "bigint" if -2**63 <= value < 2**63 \
            else "numeric"
    if isinstance(value, Decimal) or isinstance(value, float) and math.isfinite(value):
        return "numeric"
    if isinstance(value, datetime):
        return "timestamp" if value.tzinfo is None else "timestamptz"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time) and value.tzinfo is None:
        return "time"
    if isinstance(value, bytes | memoryview):
        return "bytea"
    return "unknown"


_UNPREPARABLE = object()
_NAMES = itertools.count(1)  # statement names, unique in this process


class _Statements:
    """The SELECTs asked on one connection, the least recently used first: (text, types of
    the values) -> False (asked once), the name of its prepared statement, or _UNPREPARABLE;
    and the names of prepared statements to DEALLOCATE with the next PREPARE."""

    def __init__(self):
        self.texts, self.dropped = OrderedDict(), []

    def remember(self, key, entry):
        """Keep this statement (last used now), forgetting the oldest beyond the limit."""
        self.texts[key] = entry
        self.texts.move_to_end(key)
        while len(self.texts) > PREPARED_PER_CONNECTION:
            _text, old = self.texts.popitem(last=False)
            if isinstance(old, str):
                self.dropped.append(old)


_PREPARED = weakref.WeakKeyDictionary()  # psycopg2 connection -> _Statements


def _statements_of(connection):
    """What this connection has been asked (see _Statements)."""
    known = _PREPARED.get(connection)
    if known is None:
        known = _PREPARED[connection] = _Statements()
    return known


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
        return PreparingPostgresqlDatabase(
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
