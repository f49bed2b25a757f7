"""read_together: several lists and counts in one statement, each as its own query reads it."""

from datetime import datetime, timedelta

import pytest
from peewee import fn

from schoolportal.absence.models import AbsenceReport
from schoolportal.calendar.models import Activity
from schoolportal.core.models import Group, Pupil, User
from schoolportal.core.together import Count, Rows, read_together
from schoolportal.feed.models import Post
from schoolportal.meetings.models import MeetingBooking
from tests.support.queries import QueryCounter


def _same(a, b):
    """Model instances compare by id only: compare every loaded value, joined models too."""
    if isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif hasattr(a, "__data__"):
        assert type(a) is type(b) and a.__data__ == b.__data__, (a.__data__, b.__data__)
        assert set(a.__rel__) == set(b.__rel__)
        for name in a.__rel__:
            _same(a.__rel__[name], b.__rel__[name])
        assert getattr(a, "__dict__", {}).keys() == getattr(b, "__dict__", {}).keys()
    else:
        assert a == b and type(a) is type(b), (a, b)


def _queries():
    return [
        MeetingBooking.with_details(),  # five joined models, datetimes
        Pupil.select(Pupil, Group).join(Group).order_by(Pupil.last_name.desc(), Pupil.id)
        .limit(7),  # dates, a limit, a descending order
        Post.select(Post.id, Post.title, Post.published_at, Post.urgent).order_by(
            Post.published_at.desc()),  # booleans, text with anything in it
        AbsenceReport.select().order_by(AbsenceReport.starts_on, AbsenceReport.id),  # times
        Activity.select().order_by(Activity.starts_on, Activity.id),  # dates and times
        Group.select(Group.name, Group.sort_order).order_by(Group.sort_order).dicts(),
        Group.select(Group.id, Group.name).order_by(Group.name).tuples(),
        User.select(User.role).distinct().order_by(User.role).tuples(),  # read on its own
        Pupil.select().where(Pupil.id < 0),  # no rows
        Pupil.select(Pupil.group, User.display_name.alias("named")).join(
            User, on=(User.id == Pupil.id)).order_by(Pupil.id).objects(),
        Group.select(Group.id, Pupil.select(fn.COUNT(Pupil.id)).where(Pupil.group == Group.id)
                     .alias("pupils")).order_by(Group.id),  # a subquery as a column
    ]


def test_each_list_is_what_its_own_query_gives_in_one_statement(demo_school, ctx):
    def check():
        expected = [list(query) for query in _queries()]
        assert all(expected[:7]), "the demo school has rows for each of these"
        counts = [Count(Pupil.select()), Count(Post.select().where(Post.id < 0))]
        with QueryCounter() as counter:
            values = read_together(counts + [Rows(query) for query in _queries()])
        assert counter.count == 2, counter.statements  # one, and the DISTINCT query on its own
        assert values[:2] == [Pupil.select().count(), 0]
        _same(values[2:], expected)
        # the joined models came along: reading them runs no statement
        with QueryCounter() as counter:
            assert [b.slot.teacher.display_name for b in values[2]]
        assert counter.count == 0

    ctx(check)


def test_then_makes_the_value_and_nothing_runs_for_nothing(db_ctx):
    with QueryCounter() as counter:
        assert read_together([]) == []
    assert counter.count == 0
    [names] = read_together([Rows(Group.select().order_by(Group.name),
                                  then=lambda rows: [group.name for group in rows])])
    assert names == [group.name for group in Group.select().order_by(Group.name)]


def test_timestamps_come_back_as_datetimes_and_text_as_text(demo_school, ctx):
    """PostgreSQL writes timestamps into JSON as ISO text; they come back as datetimes, and a
    title that merely looks like one stays text."""

    def check():
        post = Post.select().order_by(Post.id).first()
        Post.update(title="2026-12-05T08:30:00").where(Post.id == post.id).execute()
        [rows] = read_together([Rows(Post.select(Post.title, Post.published_at)
                                     .where(Post.id == post.id))])
        assert rows[0].title == "2026-12-05T08:30:00"
        assert isinstance(rows[0].published_at, datetime)
        assert abs(rows[0].published_at - post.published_at) < timedelta(seconds=1)

    ctx(check)


@pytest.mark.parametrize("limit", [1, 3])
def test_order_is_the_querys_own_with_a_limit(db_ctx, limit):
    query = Pupil.select(Pupil.id).order_by(Pupil.first_name.desc(), Pupil.id.desc()).limit(limit)
    [rows] = read_together([Rows(query.tuples())])
    assert rows == list(query.tuples())
