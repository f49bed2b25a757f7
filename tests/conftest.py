"""Fixtures: a fresh app and database per test, the demo school, and logging in for real.

The suite runs on a temporary SQLite file, or on PostgreSQL when TEST_DATABASE_URL is
set (e.g. postgresql://postgres@127.0.0.1:5432/test). The schema is migrated and the
demo school seeded once per run; each test then starts from a copy (SQLite) or a
truncate-and-reseed (PostgreSQL).
"""

import os
import re
import shutil
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from config import TestConfig
from schoolportal import consent, create_app, database, demo
from schoolportal.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
DEMO_PASSWORD = demo.DEMO_PASSWORD
ADMIN = "directie@example.org"
TEACHER = "juf.sanne@example.org"  # Groep 1/2A
OTHER_TEACHER = "meester.ahmed@example.org"  # Groep 5
PARENT = "ouder.jansen@example.org"  # one child in Groep 1/2A
OTHER_PARENT = "ouder.bakker@example.org"  # one child in Groep 5
TWO_GROUP_PARENT = "ouder.elmansouri@example.org"  # a child in Groep 1/2A and one in Groep 5


def _config(url):
    """A TestConfig bound to one database URL."""
    return type("BoundTestConfig", (TestConfig,), {"DATABASE_URL": url})


def _reset_postgres():
    """Drop everything in the test database so the migrations start from empty."""
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate and seed once; returns how to get a fresh copy for a test."""
    if PG_URL:
        app = create_app(_config(PG_URL))
        with app.app_context(), db.connection_context():
            _reset_postgres()
            database.migrate()
        return {"url": PG_URL}
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context(), db.connection_context():
        database.migrate()
        demo.seed(examples=False)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"path": path}


def _fresh_postgres(app):
    """Empty every table, restart the ids, and seed the demo school again.

    DELETE with foreign-key triggers off is about ten times faster than TRUNCATE on
    tables this small (TRUNCATE pays a fixed cost per table); ids restart at 1 as before.
    """
    with app.app_context(), db.connection_context():
        tables = [t for t in db.get_tables() if t != "migratehistory"]
        sequences = [row[0] for row in db.execute_sql(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'")]
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM "{table}"' for table in tables]
        if sequences:
            statements.append("SELECT " + ", ".join(
                f"setval('\"{name}\"', 1, false)" for name in sequences))
        with db.atomic():
            db.execute_sql("; ".join(statements))
        consent.install_default_categories()  # rows migration 016 made, as on SQLite
        demo.seed(examples=False)


@pytest.fixture
def app(template_db, tmp_path):
    """A fresh app with the demo school in its own database."""
    if PG_URL:
        application = create_app(_config(PG_URL))
        _fresh_postgres(application)
    else:
        path = tmp_path / "schoolportal.db"
        shutil.copy(template_db["path"], path)
        application = create_app(_config(f"sqlite:///{path}"))
    application.config["MEDIA_ROOT"] = str(tmp_path / "media")
    yield application
    if not db.is_closed():
        db.close()


class _Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep every message the server accepts."""
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address):
        """The messages sent to one address."""
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the app sends to; yields its inbox."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BACKEND="smtp")
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_worker(app):
    """One round of the mail worker, as `flask mail-worker --once` does it."""
    result = app.test_cli_runner().invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


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


def csrf_token_from(html):
    """The CSRF token of the first form on a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email, password=DEMO_PASSWORD):
    """Log in through the real form, CSRF token and all; returns the response."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


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
    from schoolportal.models import Group

    with app.app_context(), db.connection_context():
        return {g.name: g for g in Group.select()}
