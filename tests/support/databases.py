"""Databases of a test's own (backup, restore, upgrade) and reading every row of one.

The PostgreSQL ones live on the server of TEST_DATABASE_URL, or else on
postgres@127.0.0.1:5432 when one answers there (as in CI, also during the SQLite run).
Without a server these tests skip with the reason, unless TEST_DATABASE_URL is set: then
a missing server is a failure.
"""

import hashlib
import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url():
    """The maintenance database of the server the tests may use."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def _connect(url):
    """An autocommit connection (CREATE DATABASE runs outside a transaction)."""
    parsed = urlparse(url)
    connection = psycopg2.connect(dbname=parsed.path.lstrip("/"), user=parsed.username,
                                  password=parsed.password, host=parsed.hostname,
                                  port=parsed.port, connect_timeout=5)
    connection.autocommit = True
    return connection


@pytest.fixture
def postgres_databases():
    """make() -> the URL of a new, empty database; every one is dropped after the test."""
    try:
        admin = _connect(server_url())
    except psycopg2.OperationalError as error:
        if os.environ.get("TEST_DATABASE_URL"):
            pytest.fail(f"PostgreSQL at {server_url()} does not answer: {error}")
        pytest.skip(f"no PostgreSQL server at {server_url()} ({error})".strip())
    base = urlparse(os.environ.get("TEST_DATABASE_URL") or "x/schoolportal_test").path.strip("/")
    made = []

    def make():
        name = f"{base}_{uuid.uuid4().hex[:10]}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urlunparse(urlparse(server_url())._replace(path=f"/{name}"))

    yield make
    with admin.cursor() as cursor:
        for name in made:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def rows_of(url):
    """{table: every row, sorted} of a database, read with its own connection."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///"):])
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    else:
        connection = _connect(url)
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE "
                           "table_schema = 'public' AND table_type = 'BASE TABLE'")
            tables = [r[0] for r in cursor.fetchall()]
    try:
        found = {}
        for table in tables:
            cursor = connection.cursor()
            cursor.execute(f'SELECT * FROM "{table}"')
            found[table] = sorted(cursor.fetchall(), key=repr)
        return found
    finally:
        connection.close()


def checksums(root):
    """{relative path: SHA-256} of every file under a folder."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
