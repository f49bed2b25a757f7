"""Upgrades: `init-db` on a copy of an older release's database migrates it, data and all.

tests/system/data/release-012.db.gz is the demo school as the portal of commit cb64666
(migrations 001-012: onboarding, feed, absence, meetings, calendar, surveys, conversations)
seeded it. Every later migration, today's and those still to come, runs on it here, on
SQLite and on PostgreSQL, and must give the models' schema without losing a row.
"""

import pytest

from schoolportal.core.extensions import db
from schoolportal.schema import MODELS
from tests.core.test_migrations import _schema
from tests.support.databases import rows_of
from tests.support.web import PARENT, login
from tests.system.schools import RELEASE_MIGRATION, database_url, load_release, portal, run


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_init_db_migrates_the_last_releases_database_with_its_data(engine, request, tmp_path):
    url = database_url(engine, request, tmp_path / "release")
    load_release(url, tmp_path / "release")
    old = rows_of(url)
    assert [row[1] for row in sorted(old["migratehistory"])][-1] == RELEASE_MIGRATION
    assert sum(len(rows) for rows in old.values()) > 700

    app = portal(url, tmp_path / "release")
    output = run(app, "init-db")
    assert "migrations applied now" in output and "(0 migrations" not in output
    assert "(0 migrations applied now)" in run(app, "init-db")  # and it stays that way

    new = rows_of(url)
    for table, rows in old.items():
        if table != "migratehistory":
            assert len(new[table]) == len(rows), table
    assert new["pupil"] == old["pupil"]  # no migration touched a pupil
    templates = {row[2] for row in new["outbox_mail"]}
    assert templates and all("/" in name for name in templates)  # migration 021's renames
    with app.app_context(), db.connection_context():
        migrated = _schema()

    fresh_url = database_url(engine, request, tmp_path / "fresh")
    portal(fresh_url, tmp_path / "fresh")
    with db.connection_context():
        db.create_tables(MODELS)
        created = _schema()
    assert migrated == created

    # The portal runs on it: the old password hash works, the group shows its old posts.
    upgraded = portal(url, tmp_path / "release")
    client = upgraded.test_client()
    assert login(client, PARENT).status_code == 302
    group = client.get("/groups/1").get_data(as_text=True)
    assert "Rekenen met de weegschaal" in group and "Gymschoenen mee" in group
