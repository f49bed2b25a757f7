"""peewee renders a subquery of `x.in_(subquery)` once, not once more per level of nesting;
column references are written at once, into the very same SQL text."""

import re
from datetime import datetime, timedelta
from unittest import mock

import peewee
import pytest

from schoolportal.core import peewee_speed
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Guardianship, Pupil, User
from tests.support.crawl import walk
from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT


def _nested(user_id):
    children = Guardianship.select(Guardianship.pupil).where(Guardianship.guardian == user_id)
    groups = Pupil.select(Pupil.group).where(Pupil.id.in_(children))
    return Group.select(Group.id).where(Group.id.in_(groups))


def _renders(query):
    """The SQL and how often a SELECT was rendered to build it."""
    real = peewee.Select.__sql__
    with mock.patch.object(peewee.Select, "__sql__", autospec=True, side_effect=real) as spy:
        sql = query.sql()
    return sql, spy.call_count


def test_a_nested_subquery_is_rendered_once_and_reads_the_same(db_ctx, monkeypatch):
    fast_sql, fast_renders = _renders(_nested(7))
    monkeypatch.setattr(peewee.Expression, "_is_rhs_empty", peewee_speed._peewee_is_rhs_empty)
    monkeypatch.setattr(peewee.Field, "__sql__", peewee_speed._peewee_field_sql)
    monkeypatch.setattr(peewee.Column, "__sql__", peewee_speed._peewee_column_sql)
    slow_sql, slow_renders = _renders(_nested(7))
    assert fast_sql == slow_sql
    assert fast_renders == 3  # each SELECT once
    assert slow_renders == 7  # peewee's own check renders every inner SELECT again per level


def test_an_empty_list_still_matches_nothing(db_ctx):
    assert "0 = 1" in Pupil.select().where(Pupil.id.in_([])).sql()[0]
    assert Pupil.select().where(Pupil.id.in_([])).count() == 0
    assert Pupil.select().where(Pupil.id.not_in([])).count() == Pupil.select().count()


def _peewee_own(query, **options):
    """The query's SQL and parameters as peewee itself renders them (both corrections off)."""
    peewee_speed.uninstall()
    try:
        return db.get_sql_context(**options).sql(query).query()
    finally:
        peewee_speed.install()


def _same(fast, own):
    """The same SQL and parameters (a default timestamp, made at each rendering, may differ
    by the moment between the two)."""
    (sql, params), (own_sql, own_params) = fast, own
    return sql == own_sql and len(params) == len(own_params) and all(
        a == b or (isinstance(a, datetime) and isinstance(b, datetime)
                   and abs(a - b) < timedelta(seconds=1))
        for a, b in zip(params, own_params, strict=True))


def test_aliases_subqueries_and_inserts_render_as_peewee_does(db_ctx):
    teacher = User.alias("teacher")
    sub = Pupil.select(Pupil.group, peewee.fn.COUNT(Pupil.id).alias("n")).group_by(
        Pupil.group).alias("counted")
    queries = [
        Pupil.select(Pupil, Group, teacher.display_name).join(Group).switch(Pupil)
        .join(teacher, on=(teacher.id == Pupil.id)).where(Group.name == 'x"y'),
        Group.select(Group.id, sub.c.n).join(sub, on=(sub.c.group_id == Group.id)),
        Group.insert(name="Groep 9", school_year="2026-2027", sort_order=9),
        Group.update(sort_order=Group.sort_order + 1).where(Group.id.in_(
            Pupil.select(Pupil.group))),
        Group.select().from_(Group.alias("g")).where(Group.alias("g").name.startswith("G")),
    ]
    for query in queries:
        assert _same(db.get_sql_context().sql(query).query(), _peewee_own(query))


@pytest.mark.parametrize("email", [PARENT, TWO_GROUP_PARENT, TEACHER, ADMIN])
def test_every_statement_of_every_page_is_the_text_peewee_writes(demo_school, login_as,
                                                                    monkeypatch, email):
    """Each query a page runs (read or write) is rendered with and without the corrections:
    the same SQL, the same parameters."""
    database = type(db.obj)
    real_execute = database.execute
    compared, different = [], []

    def execute(self, query, **options):
        fast = self.get_sql_context(**options).sql(query).query()
        if not _same(fast, _peewee_own(query, **options)):
            different.append(fast[0])
        compared.append(fast[0])
        return real_execute(self, query, **options)

    monkeypatch.setattr(database, "execute", execute)
    client = login_as(email)

    def open_page(url, _endpoint):
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return None
        return re.findall(r'<a\b[^>]*\bhref="([^"#]+)', response.get_data(as_text=True))

    assert len(walk(demo_school, open_page, 150)) >= 12
    assert len(compared) > 100 and different == []
