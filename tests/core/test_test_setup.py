"""The test set-up itself: one app per session, settings restored, connections kept open.

These keep the suite fast (issue 18) without letting one test's changes reach the next.
"""

import os

import pytest

from schoolportal.core.extensions import db
from tests.conftest import PG_BASE_URL, PG_URL, WORKER

SEEN = {}

# Both tests run on one worker, in this order (tests/support/scheduling.py keeps this module
# together).


def test_a_test_may_change_settings(app):
    SEEN["app"] = id(app)
    SEEN["port"] = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=1, LOGIN_MAX_FAILURES_PER_ACCOUNT=1, SOMETHING_NEW="x")
    app.config["LANGUAGES"]["fr"] = "Français"  # changed in place


def test_the_next_test_gets_the_same_app_with_its_settings_restored(app):
    if "app" not in SEEN:
        pytest.fail("the first test of this pair did not run before this one")
    assert id(app) == SEEN["app"]  # one app per session: routes and templates built once
    assert app.config["MAIL_PORT"] == SEEN["port"]
    assert app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 5
    assert "SOMETHING_NEW" not in app.config and "fr" not in app.config["LANGUAGES"]


def test_templates_are_compiled_once_into_a_bytecode_cache(app, client):
    from jinja2 import FileSystemBytecodeCache

    cache = app.jinja_env.bytecode_cache
    assert isinstance(cache, FileSystemBytecodeCache)
    assert client.get("/login").status_code == 200
    assert any(name.startswith("__jinja2_") for name in os.listdir(cache.directory))


def test_each_worker_has_a_database_of_its_own():
    if not PG_BASE_URL:
        pytest.skip("PostgreSQL only: SQLite files live in each worker's own temp folder")
    assert PG_URL == (f"{PG_BASE_URL}_{WORKER}" if WORKER else PG_BASE_URL)


def test_the_postgresql_connection_is_kept_open_between_requests(app, client):
    if not PG_URL:
        pytest.skip("PostgreSQL only: SQLite opens a file, not a server connection")
    pids = set()
    for _ in range(3):
        assert client.get("/login").status_code == 200
        with app.app_context(), db.connection_context():
            pids.add(db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
    assert len(pids) == 1


def _rows_and_files(app):
    """How many rows each table holds, and how many media files there are."""
    from pathlib import Path

    with app.app_context(), db.connection_context():
        rows = {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in db.get_tables() if table != "migratehistory"}
    media = Path(app.config["MEDIA_ROOT"])
    return rows, sum(1 for f in media.rglob("*") if f.is_file()) if media.exists() else 0


def test_seeding_every_example_gives_the_demo_school(app, ctx):
    from schoolportal import demo
    from schoolportal.core.clock import school_today
    from schoolportal.core.database import write_transaction

    def seed():
        for area in demo.EXAMPLES:
            with write_transaction():
                area.seed(school_today())
    ctx(seed)
    SEEN["examples"] = _rows_and_files(app)
    assert SEEN["examples"][1] > 0 and SEEN["examples"][0]["post"] > 0


@pytest.mark.parametrize("change", [True, False], ids=["then-changed", "again"])
def test_the_kept_demo_school_is_what_seeding_gives(demo_school, ctx, change):
    """demo_school seeds once per worker and day, then copies: the copy has every row and
    file a fresh seeding has, also after a test changed its own copy."""
    if "examples" not in SEEN:
        pytest.fail("the seeding test of this module did not run before this one")
    assert _rows_and_files(demo_school) == SEEN["examples"]
    if change:
        from schoolportal.feed.models import Post

        ctx(lambda: Post.delete().execute())
        assert _rows_and_files(demo_school)[0]["post"] == 0
