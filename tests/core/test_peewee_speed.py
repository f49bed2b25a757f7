"""peewee renders a subquery of `x.in_(subquery)` once, not once more per level of nesting."""

from unittest import mock

import peewee

from schoolportal.core import peewee_speed
from schoolportal.core.models import Group, Guardianship, Pupil


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
    slow_sql, slow_renders = _renders(_nested(7))
    assert fast_sql == slow_sql
    assert fast_renders == 3  # each SELECT once
    assert slow_renders == 7  # peewee's own check renders every inner SELECT again per level


def test_an_empty_list_still_matches_nothing(db_ctx):
    assert "0 = 1" in Pupil.select().where(Pupil.id.in_([])).sql()[0]
    assert Pupil.select().where(Pupil.id.in_([])).count() == 0
    assert Pupil.select().where(Pupil.id.not_in([])).count() == Pupil.select().count()
