"""The database guards what matters, and concurrent writers do not fail."""

import threading
from decimal import Decimal

import pytest
from peewee import IntegrityError

from schoolportal.core.database import open_database, write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, GroupStaff, Guardianship, LoginAttempt, User
from tests.conftest import PG_URL


def test_email_is_unique_whatever_the_case(db_ctx):
    User.create(email="Nieuw@Example.org", display_name="A", role="parent")
    with pytest.raises(IntegrityError), db.atomic():
        User.create(email="nieuw@example.ORG", display_name="B", role="parent")


def test_role_is_checked_by_the_database(db_ctx):
    with pytest.raises(IntegrityError), db.atomic():
        User.insert(email="x@example.org", display_name="X", role="janitor").execute()


def test_guardianship_and_group_staff_are_unique(db_ctx):
    existing = Guardianship.select().first()
    with pytest.raises(IntegrityError), db.atomic():
        Guardianship.create(guardian=existing.guardian_id, pupil=existing.pupil_id)
    staff = GroupStaff.select().first()
    with pytest.raises(IntegrityError), db.atomic():
        GroupStaff.create(staff=staff.staff_id, group=staff.group_id)


def test_group_name_is_unique_per_school_year(db_ctx):
    group = Group.select().first()
    with pytest.raises(IntegrityError), db.atomic():
        Group.create(name=group.name, school_year=group.school_year)
    Group.create(name=group.name, school_year="2099-2100")  # another year is fine


def test_foreign_keys_are_enforced(db_ctx):
    with pytest.raises(IntegrityError), db.atomic():
        Guardianship.insert(guardian=999_999, pupil=999_999).execute()


def test_concurrent_writers_do_not_fail(app):
    threads, writes, errors = 8, 25, []

    def writer(n):
        try:
            with app.app_context():
                for i in range(writes):
                    with write_transaction():
                        LoginAttempt.create(email=f"w{n}-{i}@example.org", ip="127.0.0.1")
                        LoginAttempt.select().count()
                db.close()
        except Exception as exc:  # noqa: BLE001 (the test reports any failure)
            errors.append(repr(exc))

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    with app.app_context(), db.connection_context():
        assert LoginAttempt.select().count() == threads * writes


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    database = open_database(f"sqlite:///{tmp_path}/wal.db")
    database.connect()
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    database.close()


def test_database_url_forms(tmp_path):
    assert open_database("sqlite:///:memory:").database == ":memory:"
    assert open_database(f"sqlite:///{tmp_path}/a.db").database == f"{tmp_path}/a.db"
    pg = open_database("postgresql://user:p%40ss@db.example:5433/school")
    assert (pg.database, pg.connect_params["host"], pg.connect_params["port"]) == (
        "school", "db.example", 5433)
    with pytest.raises(ValueError):
        open_database("mysql://x/y")


def test_sqlite_keeps_its_connection_and_hands_it_on_clean(tmp_path):
    """A connection given back is kept for the next request, in any thread, with its
    pragmas, and without what the last one left open."""
    database = open_database(f"sqlite:///{tmp_path}/kept.db")
    database.connect()
    first = database.connection()
    database.execute_sql("CREATE TABLE t (x INTEGER)")
    database.execute_sql("BEGIN")
    database.execute_sql("INSERT INTO t VALUES (1)")
    database.close()  # given back in the middle of a transaction: rolled back

    seen = {}

    def next_request():
        with database.connection_context():
            seen["same"] = database.connection() is first
            seen["rows"] = database.execute_sql("SELECT COUNT(*) FROM t").fetchone()[0]
            seen["keys"] = database.execute_sql("PRAGMA foreign_keys").fetchone()[0]

    thread = threading.Thread(target=next_request)
    thread.start()
    thread.join(timeout=10)
    assert seen == {"same": True, "rows": 0, "keys": 1}
    database.close_all()  # as a restore does (close_every_connection): a new one next
    with database.connection_context():
        assert database.connection() is not first
    database.close_all()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite plans in the process itself")
def test_postgresql_prepares_the_selects_a_connection_is_asked_again(monkeypatch):
    """The second time a SELECT comes, PostgreSQL keeps its plan; the values stay values, a
    statement it cannot prepare still runs, nothing is prepared inside a transaction, the
    oldest goes when too many are kept, and a table that changed shape is no trouble."""
    from schoolportal.core import database as module

    database = open_database(PG_URL)
    assert isinstance(database, module.PreparingPostgresqlDatabase)
    monkeypatch.setattr(module, "PREPARED_PER_CONNECTION", 3)

    def prepared():  # asked on the connection itself, past the preparing
        with database.connection().cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return sorted(row[0] for row in cursor.fetchall())

    def rows(sql, *params):
        return database.execute_sql(sql, params).fetchall()

    with database.connection_context():
        database.execute_sql("CREATE TEMPORARY TABLE kept (id INTEGER, name TEXT)")
        database.execute_sql("INSERT INTO kept VALUES (1, 'a'), (2, 'b%%'), (3, 'c')")
        by_id = "SELECT name FROM kept WHERE id = %s AND name LIKE '%%'"
        assert rows(by_id, 1) == [("a",)]  # the first time: as it is
        assert prepared() == []
        assert rows(by_id, 2) == [("b%",)]  # the second: prepared, with its own value
        assert rows(by_id, 3) == [("c",)]
        assert len(prepared()) == 1 and "$1" in prepared()[0]

        numbers = "SELECT SUM(CASE WHEN id > %s THEN %s ELSE %s END), MAX(%s) FROM kept"
        assert rows(numbers, 1, 1, 0, 2.5) == rows(numbers, 1, 1, 0, 2.5) == [(2, Decimal("2.5"))]
        assert len(prepared()) == 2  # typed as in the written statement: integers, numeric
        database.execute_sql("DEALLOCATE ALL")  # start over
        assert module._PREPARED.pop(database.connection()).texts

        untyped = "SELECT %s IS NULL"
        assert [rows(untyped, None), rows(untyped, None), rows(untyped, 1)] == [
            [(True,)], [(True,)], [(False,)]]  # PostgreSQL cannot type $1: run as it is
        assert prepared() == []

        with database.atomic():
            inside = "SELECT id FROM kept WHERE name = %s"
            assert rows(inside, "a") == rows(inside, "a") == [(1,)]
        assert prepared() == []

        everything = "SELECT * FROM kept WHERE id = %s"
        assert rows(everything, 1) == rows(everything, 1) == [(1, "a")]
        assert len(prepared()) == 1
        database.execute_sql("ALTER TABLE kept ADD COLUMN extra INTEGER DEFAULT 7")
        assert rows(everything, 1) == [(1, "a", 7)]  # the old plan dropped, run as it is

        for number in range(4):  # more texts than kept: the oldest go
            rows(f"SELECT id FROM kept WHERE id > %s AND {number} = {number}", 0)
        assert len(prepared()) == 1  # the changed one, deallocated with the next PREPARE
        newest = "SELECT id FROM kept WHERE id > %s AND 3 = 3"
        assert rows(newest, 2) == [(3,)]
        [only] = prepared()
        assert "SELECT id FROM kept WHERE id > $1 AND 3 = 3" in only
    database.close_all()
