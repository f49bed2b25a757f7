"""The database half of a backup and a restore, per kind of database.

SQLite is copied with its online backup API (a consistent copy while the portal runs; WAL
readers do not block writers). PostgreSQL is dumped with `pg_dump --format=custom` inside
an exported snapshot, and the rows are counted in that same snapshot, so the manifest's
counts are exactly what the dump holds; `pg_restore` loads it in one transaction.
"""

import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg2


class EngineError(Exception):
    """A database step that failed; the message is for the operator."""


def for_url(url):
    """The engine for a DATABASE_URL."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SQLite(url)
    if scheme in ("postgres", "postgresql"):
        return PostgreSQL(url)
    raise EngineError(f"Backups of {scheme!r} databases are not supported.")


def _describe(cursor, tables):
    """{"tables": {name: rows}, "migrations": [names in order]} through a DB-API cursor."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the catalog)
        counts[table] = cursor.fetchone()[0]
    migrations = []
    if "migratehistory" in counts:
        cursor.execute("SELECT name FROM migratehistory ORDER BY id")
        migrations = [row[0] for row in cursor.fetchall()]
    return {"tables": counts, "migrations": migrations}


class SQLite:
    """A database in one file."""

    name = "sqlite"
    file_name = "database.sqlite3"

    def __init__(self, url):
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        self.path = None if path in ("", ":memory:") else Path(path)

    def where(self):
        """The database, as the operator knows it."""
        return str(self.path)

    def _tables(self, connection):
        """The tables of a connection, SQLite's own left out."""
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'").fetchall()
        return [row[0] for row in rows]

    def dump(self, target):
        """Copy the live database into `target`; returns what it holds."""
        if self.path is None or not self.path.is_file():
            raise EngineError(f"There is no SQLite database at {self.path or ':memory:'}.")
        source, copy = sqlite3.connect(self.path, timeout=30), sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: one consistent read
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise EngineError("The copy of the database failed its integrity check.")
            return _describe(copy.cursor(), self._tables(copy))
        finally:
            source.close()
            copy.close()

    def is_empty(self):
        """True when the target file is missing or has no tables."""
        if self.path is None:
            raise EngineError("Restore needs a database file, not an in-memory database.")
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return True
        connection = sqlite3.connect(self.path)
        try:
            return not self._tables(connection)
        finally:
            connection.close()

    def clear(self):
        """Remove the target database file (and its write-ahead log)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def load(self, dump):
        """Write the backup's database into the target file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        source, target = sqlite3.connect(dump), sqlite3.connect(self.path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    def describe(self):
        """Rows per table and migrations of the target database."""
        connection = sqlite3.connect(self.path)
        try:
            return _describe(connection.cursor(), self._tables(connection))
        finally:
            connection.close()


class PostgreSQL:
    """A database on a PostgreSQL server (pg_dump and pg_restore on the PATH)."""

    name = "postgresql"
    file_name = "database.pgdump"

    def __init__(self, url):
        parsed = urlparse(url)
        self.params = {
            "dbname": unquote(parsed.path.lstrip("/")),
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "host": parsed.hostname, "port": parsed.port,
        }

    def where(self):
        """The database, as the operator knows it (never the password)."""
        host = self.params["host"] or "local socket"
        return f"{self.params['dbname']} on {host}"

    def _connect(self):
        """A connection of our own, apart from the app's."""
        return psycopg2.connect(**{k: v for k, v in self.params.items() if v is not None})

    def _run(self, command):
        """Run pg_dump or pg_restore with the connection in the environment (not argv)."""
        names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD",
                 "host": "PGHOST", "port": "PGPORT"}
        env = {**os.environ, **{names[k]: str(v) for k, v in self.params.items() if v}}
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                                    check=False)
        except FileNotFoundError as error:
            raise EngineError(f"{command[0]} is not installed (apt-get install "
                              "postgresql-client).") from error
        if result.returncode != 0:
            raise EngineError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")

    def _tables(self, cursor):
        """The tables in the connection's schema."""
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE "
                       "table_schema = current_schema() AND table_type = 'BASE TABLE'")
        return [row[0] for row in cursor.fetchall()]

    def dump(self, target):
        """pg_dump in one snapshot, rows counted in the same snapshot; returns what it holds."""
        connection = self._connect()
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                self._run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                           f"--snapshot={snapshot}", f"--file={target}"])
                return _describe(cursor, self._tables(cursor))
        finally:
            connection.rollback()
            connection.close()

    def is_empty(self):
        """True when the target database has no tables."""
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                return not self._tables(cursor)
        finally:
            connection.close()

    def clear(self):
        """Drop every table (with its sequences) in the target database's schema."""
        connection = self._connect()
        try:
            with connection, connection.cursor() as cursor:
                tables = self._tables(cursor)
                if tables:
                    names = ", ".join(f'"{table}"' for table in tables)
                    cursor.execute(f"DROP TABLE {names} CASCADE")
        finally:
            connection.close()

    def load(self, dump):
        """pg_restore the dump into the target database, all or nothing."""
        self._run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                   "--single-transaction", f"--dbname={self.params['dbname']}", str(dump)])

    def describe(self):
        """Rows per table and migrations of the target database."""
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                return _describe(cursor, self._tables(cursor))
        finally:
            connection.close()
