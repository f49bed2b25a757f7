"""Migrating an empty database gives exactly the schema the models describe."""

import collections
import uuid

import pytest

from schoolportal import create_app
from schoolportal.core import database
from schoolportal.core.extensions import db
from schoolportal.schema import MODELS
from tests.conftest import PG_URL, _config


def _schema(schema=None):
    """Tables with their columns, indexes and foreign keys, comparable across databases."""
    result = {}
    on_postgres = not database.is_sqlite()  # test_upgrade compares SQLite in a PostgreSQL run
    all_foreign_keys = _pg_foreign_keys(schema) if on_postgres else None
    for table in db.get_tables(schema=schema):
        if table == "migratehistory":
            continue
        columns = sorted(
            (c.name, c.data_type.lower(), c.null, c.primary_key)
            for c in db.get_columns(table, schema)
        )
        indexes = sorted(
            (tuple(i.columns), i.unique) for i in db.get_indexes(table, schema)
            if not i.name.endswith("_pkey")
        )
        foreign_keys = sorted(all_foreign_keys[table] if on_postgres else (
            (f.column, f.dest_table, f.dest_column) for f in db.get_foreign_keys(table, schema)))
        result[table] = (columns, indexes, foreign_keys)
    return result


# Every foreign key of a PostgreSQL schema in one catalog query: peewee's get_foreign_keys asks
# information_schema once per table, 40 ms each (7 of the test's 8 s on PostgreSQL).
PG_FOREIGN_KEYS = """SELECT source.relname, source_column.attname, target.relname,
       target_column.attname
FROM pg_constraint AS constraint_
JOIN pg_class AS source ON source.oid = constraint_.conrelid
JOIN pg_namespace AS namespace ON namespace.oid = source.relnamespace
JOIN pg_class AS target ON target.oid = constraint_.confrelid
CROSS JOIN LATERAL unnest(constraint_.conkey, constraint_.confkey) AS pair(source_key, target_key)
JOIN pg_attribute AS source_column
  ON source_column.attrelid = constraint_.conrelid AND source_column.attnum = pair.source_key
JOIN pg_attribute AS target_column
  ON target_column.attrelid = constraint_.confrelid AND target_column.attnum = pair.target_key
WHERE constraint_.contype = 'f' AND namespace.nspname = %s"""


def _pg_foreign_keys(schema):
    """{table: [(column, referenced table, referenced column), ...]} of a PostgreSQL schema."""
    found = collections.defaultdict(list)
    for table, column, dest_table, dest_column in db.execute_sql(
            PG_FOREIGN_KEYS, (schema or "public",)).fetchall():
        found[table].append((column, dest_table, dest_column))
    return found


@pytest.fixture
def empty_databases(tmp_path):
    """Two empty databases (or PostgreSQL schemas): one to migrate, one to create."""
    if PG_URL:
        app = create_app(_config(PG_URL))
        names = [f"mig_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        with app.app_context(), db.connection_context():
            for name in names:
                db.execute_sql(f"CREATE SCHEMA {name}")
            yield app, names
            for name in names:
                db.execute_sql(f"DROP SCHEMA {name} CASCADE")
            db.execute_sql("SET search_path TO public")
        return
    migrated, created = tmp_path / "migrated.db", tmp_path / "created.db"
    yield create_app(_config(f"sqlite:///{migrated}")), [str(migrated), str(created)]


def _use(target):
    """Point the connection at one schema (PostgreSQL) or file (SQLite)."""
    if PG_URL:
        db.execute_sql(f"SET search_path TO {target}")
        return target
    db.initialize(database.open_database(f"sqlite:///{target}"))
    db.connect(reuse_if_open=True)
    return None


def test_migrations_give_the_models_schema(empty_databases):
    app, (migrated, created) = empty_databases
    with app.app_context():
        schema = _use(migrated)
        database.migrate()
        from_migrations = _schema(schema)
        if not PG_URL:
            db.close()
        schema = _use(created)
        db.create_tables(MODELS)
        from_models = _schema(schema)
        if not PG_URL:
            db.close()
    assert from_migrations.keys() == from_models.keys()
    for table in from_models:
        assert from_migrations[table] == from_models[table], table


def test_init_db_is_repeatable(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "0 migrations applied" in result.output  # the template was migrated already


def test_seed_demo_is_idempotent(app):
    from schoolportal.core.models import Pupil, User

    runner = app.test_cli_runner()
    with app.app_context(), db.connection_context():
        before = (Pupil.select().count(), User.select().count())
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.connection_context():
        assert (Pupil.select().count(), User.select().count()) == before
    assert before[0] == 60


def test_demo_examples_show_onboarding_and_are_seeded_once(app):
    from schoolportal.access.models import AccessRequest
    from schoolportal.core.models import OutboxMail, Pupil
    from schoolportal.invitations.models import Invitation

    runner = app.test_cli_runner()
    counts = []
    for _ in range(2):
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        with app.app_context(), db.connection_context():
            counts.append((Invitation.select().count(), OutboxMail.select().count(),
                           AccessRequest.select().count(),
                           Pupil.select().where(Pupil.left_on.is_null(False)).count()))
    assert counts[0] == counts[1]
    invitations, mails, requests, leavers = counts[0]
    assert invitations >= 10 and mails == invitations + 1  # one failed mail for the admins
    assert requests == 4 and leavers == 1


def test_mail_rows_from_before_the_layout_move_get_the_area_template_names(empty_databases):
    """Migration 021 renames old outbox rows, so the absence purge still finds their mails."""
    from peewee_migrate import Router

    app, (migrated, _created) = empty_databases
    with app.app_context():
        _use(migrated)
        router = Router(db.obj, migrate_dir=database.MIGRATIONS_DIR, ignore=["basemodel"])
        router.logger.setLevel("WARNING")
        router.run("020_year_rollover")
        db.execute_sql(
            "INSERT INTO outbox_mail (to_email, template, language, subject, body_text, "
            "body_html, status, attempts, created_at, next_attempt_at) VALUES "
            "('a@example.org', 'absence_report', 'nl', 's', 't', 'h', 'sent', 1, "
            "'2026-01-01 08:00:00', '2026-01-01 08:00:00')")
        database.migrate()
        [(template,)] = db.execute_sql("SELECT template FROM outbox_mail").fetchall()
        if not PG_URL:
            db.close()
    assert template == "absence/report"
