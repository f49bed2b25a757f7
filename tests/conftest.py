"""Fixtures: one app per test session, a fresh database per test, logging in for real.

The suite runs on a temporary SQLite file, or on PostgreSQL when TEST_DATABASE_URL is
set (e.g. postgresql://postgres@127.0.0.1:5432/test). `make test` runs it with three
pytest-xdist workers on the two cores: each worker has its own database (SQLite: its own
files; PostgreSQL: the database `<name>_gw0`, `<name>_gw1`, ... next to TEST_DATABASE_URL,
created when missing).
Browser tests (modules `*_browser.py`) run in two groups, each on one worker with its own
Chromium, and load tests (`*_load.py`) together on one (tests/support/scheduling.py).

What a test may assume:
- `app` is the session's one app (made once per worker: URL rules and templates are built
  once), with the demo school (without examples) freshly in its database: a copy of a
  migrated and seeded template (SQLite) or emptied and seeded again (PostgreSQL, over a
  connection kept open).
- `app.config` is restored after every test: a test may change any setting (MAIL_PORT,
  limits, ...) and the next test sees the defaults again. MEDIA_ROOT is the test's own
  tmp_path/"media", ERASURE_JOURNAL its tmp_path/"erasure-journal.jsonl".
- The global `db` is bound to this test's database at the start of every test, also when
  an earlier test made an app of its own (SQLite: a new file per test, so a thread an earlier
  test left behind never sees this test's data).

What a test may not do:
- Change the app itself (register a blueprint or route, replace view functions): the next
  test would see it. Use `own_app` for that: a separate app as `app` was before.
- Rely on rows another test wrote, or leave threads holding database connections.
"""

import copy
import gc
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from config import TestConfig
from schoolportal import create_app, demo
from schoolportal.core import database, prepared
from schoolportal.core.extensions import db
from tests.support.smtp import Inbox, free_port
from tests.support.web import (
    ADMIN,
    OTHER_PARENT,
    PARENT,
    TEACHER,
    login,
)

# Browser fixtures (a live server, one Chromium per run, axe) for the browser tests that sit
# in each area's folder next to its other tests.
pytest_plugins = ["tests.support.browser"]

# A test allocates many short-lived objects (query nodes, templates' output) and keeps
# few: the young generation is collected every 100,000 allocations instead of 700, the older
# ones less often too. About 5 % of the suite's Python time (tests/absence, conversations,
# access and onboarding: 21.7-22.3 s before, 20.8-21.2 s after); garbage goes a little later.
gc.set_threshold(100_000, 50, 100)

# Every call of a prepared query (schoolportal/core/prepared.py) is compared with the same
# query built with its arguments: a builder that reads the user or the clock behind its
# arguments' back fails the first test that calls it twice.
prepared.CHECK = True

PG_BASE_URL = os.environ.get("TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_url(url, worker):
    """This xdist worker's own PostgreSQL database: `<name>_<worker>` (the URL itself alone)."""
    if not url or not worker:
        return url
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{parsed.path.lstrip('/')}_{worker}"))


PG_URL = _worker_url(PG_BASE_URL, WORKER)  # the database this process tests on


def _config(url):
    """A TestConfig bound to one database URL."""
    return type("BoundTestConfig", (TestConfig,), {"DATABASE_URL": url})


def _create_postgres_database(url, via):
    """Create the database of `url` (connecting through `via`) when it does not exist."""
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    connection = psycopg2.connect(via)
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def _reset_postgres():
    """Drop everything in the test database so the migrations start from empty."""
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")


def _kept_open(url):
    """The PostgreSQL database as a pool: requests give their connection back instead of
    closing it, so a test does not pay for a new server connection per request."""
    plain = database.open_database(url)  # the same kind as the app's own (preparing)
    return type(plain)(plain.database, max_connections=64, stale_timeout=600, timeout=30,
                       **plain.connect_params)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate and seed once per worker; returns how to get a fresh copy for a test."""
    if PG_URL:
        if PG_URL != PG_BASE_URL:
            _create_postgres_database(PG_URL, via=PG_BASE_URL)
        app = create_app(_config(PG_URL))
        with app.app_context(), db.connection_context():
            _reset_postgres()
            database.migrate()
            demo.seed(examples=False)
            _keep_pristine_copy()
        db.close()
        return {"url": PG_URL}
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context(), db.connection_context():
        database.migrate()
        demo.seed(examples=False)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"path": path}


PRISTINE = "pristine"  # the PostgreSQL schema holding the seeded tables each test starts from
_RESET_SQL = {}  # (database URL, schema) -> the one batch that puts that schema's rows back


def _keep_pristine_copy(schema=PRISTINE):
    """Copy every table into `schema`, and write the batch that puts those rows back."""
    tables = [t for t in db.get_tables() if t != "migratehistory"]
    db.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    for table in tables:
        db.execute_sql(f'CREATE TABLE {schema}."{table}" AS TABLE public."{table}"')
    serials = db.execute_sql(
        "SELECT table_name, column_name, pg_get_serial_sequence("
        "quote_ident(table_name), column_name) FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_default LIKE %s", ("nextval%",)).fetchall()
    statements = ["SET LOCAL session_replication_role = replica"]
    statements += [f'DELETE FROM public."{table}"' for table in tables]
    statements += [f'INSERT INTO public."{t}" SELECT * FROM {schema}."{t}"' for t in tables]
    if serials:
        statements.append("SELECT " + ", ".join(
            f"setval('{sequence}', COALESCE((SELECT MAX(\"{column}\") FROM public.\"{table}\"), "
            "0) + 1, false)" for table, column, sequence in serials))
    _RESET_SQL[(PG_URL, schema)] = "; ".join(statements)


def _fresh_postgres(app, schema=PRISTINE):
    """Put back the rows every test starts from, in one round trip.

    The seeded rows wait in the schema `pristine`; with foreign-key triggers off, DELETE and
    INSERT ... SELECT of these small tables take a few milliseconds, and the ids continue
    from the seeded ones as on a fresh SQLite copy.
    """
    with app.app_context(), db.connection_context(), db.atomic():
        db.execute_sql(_RESET_SQL[(PG_URL, schema)])


def _fresh_sqlite(template, path):
    """A pristine copy of the template at `path`, bound as the app's database.

    A new file (and database object) per test: a thread of an earlier test that still holds
    a connection keeps its own old file instead of seeing this one change underneath it.
    """
    shutil.copyfile(template, path)
    if hasattr(db.obj, "close_idle"):  # the earlier test's kept connections (their files)
        db.obj.close_idle()
    db.initialize(database.open_database(f"sqlite:///{path}"))
    return f"sqlite:///{path}"


def _snapshot(config):
    """A copy of the app's settings to restore after each test."""
    try:
        return copy.deepcopy(dict(config))
    except (TypeError, copy.Error):  # pragma: no cover - a setting that cannot be copied
        return dict(config)


@pytest.fixture(scope="session")
def _session_app(template_db, tmp_path_factory):
    """The one app of this test session (per xdist worker), its settings, and for PostgreSQL
    its database kept open (SQLite gets a new file per test)."""
    if PG_URL:
        application = create_app(_config(PG_URL))
        bound = _kept_open(PG_URL)
    else:
        path = tmp_path_factory.mktemp("app") / "schoolportal.db"
        shutil.copyfile(template_db["path"], path)
        application = create_app(_config(f"sqlite:///{path}"))
        bound = None
    yield application, bound, _snapshot(application.config)
    if bound is not None:
        bound.close_all()


@pytest.fixture
def app(_session_app, template_db, tmp_path):
    """The session's app with the demo school fresh in its database and its own media."""
    application, bound, settings = _session_app
    application.config.clear()
    application.config.update(copy.deepcopy(settings))
    if PG_URL:
        db.initialize(bound)
        _fresh_postgres(application)
    else:
        url = _fresh_sqlite(template_db["path"], tmp_path / "schoolportal.db")
        application.config["DATABASE_URL"] = url
    application.config["MEDIA_ROOT"] = str(tmp_path / "media")
    application.config["ERASURE_JOURNAL"] = str(tmp_path / "erasure-journal.jsonl")
    routes = len(list(application.url_map.iter_rules()))
    yield application
    if not db.is_closed():
        db.close()
    application.config.clear()
    application.config.update(copy.deepcopy(settings))
    assert len(list(application.url_map.iter_rules())) == routes, (
        "this test added routes to the session's shared app; use the `own_app` fixture")


@pytest.fixture
def own_app(template_db, tmp_path):
    """A separate app (and database) for a test that changes the app itself, e.g. its routes."""
    if PG_URL:
        application = create_app(_config(PG_URL))
        _fresh_postgres(application)
    else:
        path = tmp_path / "schoolportal.db"
        shutil.copy(template_db["path"], path)
        application = create_app(_config(f"sqlite:///{path}"))
    application.config["MEDIA_ROOT"] = str(tmp_path / "media")
    application.config["ERASURE_JOURNAL"] = str(tmp_path / "erasure-journal.jsonl")
    yield application
    if not db.is_closed():
        db.close()


EXAMPLES = "pristine_examples"  # the PostgreSQL schema holding the demo school with examples


@pytest.fixture(scope="session")
def _examples_snapshots(tmp_path_factory):
    """The demo school with every area's examples, as this worker first seeded it, per school
    day: {day: (SQLite file or None, media folder)}."""
    return {"folder": tmp_path_factory.mktemp("examples"), "days": {}}


@pytest.fixture
def demo_school(app, ctx, _examples_snapshots):
    """The demo school with every area's examples (posts, photos, absences, meetings...).

    Seeding every example takes a second or two; each worker seeds once per school day and
    keeps the result (the database as a file or a PostgreSQL schema, and the media files),
    so later tests get a copy of exactly what seeding would have given them.
    """
    from schoolportal.core.clock import school_today
    from schoolportal.core.database import write_transaction

    today = ctx(school_today)
    media = Path(app.config["MEDIA_ROOT"])
    kept = _examples_snapshots["days"].get(today)
    if kept is not None:
        database_file, kept_media = kept
        if PG_URL:
            _fresh_postgres(app, EXAMPLES)
        else:
            url = _fresh_sqlite(database_file, media.parent / "schoolportal-examples.db")
            app.config["DATABASE_URL"] = url
        if kept_media.exists():
            shutil.copytree(kept_media, media, dirs_exist_ok=True)
        return app

    def seed():
        for area in demo.EXAMPLES:
            with write_transaction():
                area.seed(today)
    ctx(seed)

    folder = _examples_snapshots["folder"] / today.isoformat()
    folder.mkdir()
    database_file = None
    with app.app_context(), db.connection_context():
        if PG_URL:
            _keep_pristine_copy(EXAMPLES)
        else:
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            database_file = folder / "schoolportal.db"
            shutil.copyfile(db.database, database_file)
    if media.exists():
        shutil.copytree(media, folder / "media")
    _examples_snapshots["days"][today] = (database_file, folder / "media")
    return app


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (make test): browser tests in two groups, load tests in one."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.support.scheduling import GroupScheduling

    return GroupScheduling(config, log)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the app sends to; yields its inbox."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BACKEND="smtp")
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def client(app):
    """A browser-like test client that is not logged in."""
    return app.test_client()


@pytest.fixture
def db_ctx(app):
    """An app context with an open connection, for domain tests without HTTP."""
    with app.app_context(), db.connection_context():
        yield db


@pytest.fixture
def ctx(app):
    """Run a function inside an app context with a connection: ctx(fn, *args) -> result."""

    def run(function, *args, **kwargs):
        with app.app_context(), db.connection_context():
            return function(*args, **kwargs)

    return run


@pytest.fixture
def login_as(app):
    """Make a new client logged in as the given demo account."""

    def make(email):
        new_client = app.test_client()
        response = login(new_client, email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return new_client

    return make


@pytest.fixture
def parent(login_as):
    """ouder.jansen: one child in Groep 1/2A."""
    return login_as(PARENT)


@pytest.fixture
def other_parent(login_as):
    """ouder.bakker: a parent of another group (Groep 5)."""
    return login_as(OTHER_PARENT)


@pytest.fixture
def teacher(login_as):
    """juf Sanne, teacher of Groep 1/2A."""
    return login_as(TEACHER)


@pytest.fixture
def admin(login_as):
    """The director, an admin."""
    return login_as(ADMIN)


@pytest.fixture
def groups(app):
    """The demo groups by name."""
    from schoolportal.core.models import Group

    with app.app_context(), db.connection_context():
        return {g.name: g for g in Group.select()}
