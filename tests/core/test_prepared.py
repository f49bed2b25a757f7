"""Prepared queries: the SQL text is built once, each call reads with its own values, and a
builder that could mix one call's values into another's fails."""

from datetime import timedelta

import pytest

from schoolportal.core import prepared as prepared_module
from schoolportal.core.models import AuthSession, Guardianship, Pupil, User, utcnow
from schoolportal.core.prepared import prepared
from tests.support.web import OTHER_PARENT, PARENT


@prepared
def _children_of(user_id, first_name_after):
    return (Pupil.select(Pupil.id, Pupil.first_name)
            .where(Pupil.id.in_(Guardianship.select(Guardianship.pupil)
                                .where(Guardianship.guardian == user_id))
                   & (Pupil.first_name > first_name_after))
            .order_by(Pupil.id))


def _peewee_way(user_id, first_name_after):
    return [(p.id, p.first_name) for p in Pupil.select(Pupil.id, Pupil.first_name).where(
        Pupil.id.in_(Guardianship.select(Guardianship.pupil)
                     .where(Guardianship.guardian == user_id))
        & (Pupil.first_name > first_name_after)).order_by(Pupil.id)]


def test_each_call_reads_its_own_rows_from_text_built_once(db_ctx, monkeypatch):
    monkeypatch.setattr(prepared_module, "CHECK", False)
    built = []
    parents = [User.get(User.email == email) for email in (PARENT, OTHER_PARENT)]
    _children_of.templates.clear()
    for parent in parents * 2:
        rows = [(p.id, p.first_name) for p in _children_of(parent.id, "")]
        assert rows == _peewee_way(parent.id, "") and rows
        built.append(len(_children_of.templates))
    assert built == [1, 1, 1, 1]  # one text for every call
    template = next(iter(_children_of.templates.values()))
    assert "?" in template.sql or "%s" in template.sql
    # a model instance goes through the field's converter, as in peewee
    assert [p.id for p in _children_of(parents[0], "")] == [r[0] for r in
                                                             _peewee_way(parents[0].id, "")]
    assert _children_of(parents[0].id, "zzz").first() is None


def test_a_live_session_is_found_only_with_its_own_key(client, db_ctx):
    from schoolportal.core import sessions

    user = User.get(User.email == PARENT)
    key = sessions.start(user)
    now = utcnow()
    found = sessions._live_session(sessions._hash(key), now - timedelta(hours=1),
                                   now - timedelta(days=1)).first()
    assert isinstance(found, AuthSession) and found.user.email == PARENT
    assert sessions._live_session(sessions._hash(key + "x"), now - timedelta(hours=1),
                                  now - timedelta(days=1)).first() is None
    assert sessions._live_session(sessions._hash(key), now + timedelta(hours=1),
                                  now - timedelta(days=1)).first() is None


def test_a_none_argument_is_not_put_into_a_slot(db_ctx):
    @prepared
    def left_on(day):
        return Pupil.select(Pupil.id).where(Pupil.left_on == day).order_by(Pupil.id)

    everyone_at_school = [p.id for p in Pupil.select(Pupil.id).where(Pupil.left_on.is_null())]
    assert [p.id for p in left_on(None)] == sorted(everyone_at_school)  # IS NULL, not = NULL
    assert left_on.templates == {}


def test_a_builder_cannot_branch_on_or_compute_with_an_argument(db_ctx):
    @prepared
    def branching(user_id):
        if user_id:
            return User.select().where(User.id == user_id)
        return User.select()

    @prepared
    def computing(user_id):
        return User.select().where(User.id == int(user_id) + 1)

    with pytest.raises(TypeError, match="no truth value"):
        list(branching(1))
    with pytest.raises(TypeError, match="cannot be computed with"):
        list(computing(1))
    with pytest.raises(TypeError, match="field.in_"):
        list(_children_of([1, 2], ""))  # a list where one value stands


def test_a_list_travels_as_one_value_whatever_its_length(db_ctx):
    @prepared
    def among(ids, names):
        return (Pupil.select(Pupil.id).where(Pupil.id.in_(ids) & Pupil.first_name.not_in(names))
                .order_by(Pupil.id))

    every = [p.id for p in Pupil.select(Pupil.id).order_by(Pupil.id)]
    first = Pupil.get_by_id(every[0])
    for ids, names in (([], []), (every[:1], []), (every, [first.first_name]),
                       ({every[1], every[2]}, ("nobody",)), ([first, every[3]], [])):
        expected = [p.id for p in Pupil.select(Pupil.id).where(
            Pupil.id.in_(list(ids)) & Pupil.first_name.not_in(list(names))).order_by(Pupil.id)]
        assert [p.id for p in among(ids, names)] == expected
    assert len(among.templates) == 1  # one text for every length


def test_a_builder_that_reads_a_value_behind_its_arguments_fails_the_check(db_ctx):
    outside = {"name": "A"}

    @prepared
    def sneaky(user_id):
        return User.select().where((User.id == user_id) & (User.display_name > outside["name"]))

    list(sneaky(1))
    outside["name"] = "B"  # the kept text still has "A": a later call would read with it
    with pytest.raises(AssertionError, match="must take every value that varies"):
        list(sneaky(2))


def test_read_together_takes_prepared_queries_beside_others(db_ctx):
    from schoolportal.core.together import Count, Rows, read_together

    @prepared
    def pupils_of(user_id):
        return (Pupil.select(Pupil.id, Pupil.first_name)
                .where(Pupil.id.in_(Guardianship.select(Guardianship.pupil)
                                    .where(Guardianship.guardian == user_id)))
                .order_by(Pupil.first_name.desc()))

    parent = User.get(User.email == PARENT)
    other = User.get(User.email == OTHER_PARENT)
    plain = Pupil.select(Pupil.id).order_by(Pupil.id)
    for user in (parent, other, parent):
        mine, count, everyone, theirs = read_together([
            Rows(pupils_of(user.id)), Count(pupils_of(user.id)), Rows(plain),
            Count(pupils_of(other.id))])
        expected = [(p.id, p.first_name) for p in Pupil.select(Pupil.id, Pupil.first_name).where(
            Pupil.id.in_(Guardianship.select(Guardianship.pupil)
                         .where(Guardianship.guardian == user.id)))
            .order_by(Pupil.first_name.desc())]
        assert [(p.id, p.first_name) for p in mine] == expected and expected
        assert count == len(expected) == pupils_of(user.id).count()
        assert [p.id for p in everyone] == [p.id for p in plain]
        assert theirs == pupils_of(other.id).count() > 0
    assert set(next(iter(pupils_of.templates.values())).wrapped) == {"rows", "count"}


def test_read_together_keeps_a_call_with_a_none_argument_in_its_one_statement(db_ctx):
    from schoolportal.core.together import Count, Rows, read_together
    from tests.support.queries import QueryCounter

    @prepared
    def left_on(day):
        return Pupil.select(Pupil.id).where(Pupil.left_on == day).order_by(Pupil.id)

    at_school = [p.id for p in Pupil.select(Pupil.id).where(Pupil.left_on.is_null())
                 .order_by(Pupil.id)]
    with QueryCounter() as counter:
        rows, number = read_together([Rows(left_on(None)), Count(left_on(None))])
    assert counter.count == 1
    assert [p.id for p in rows] == at_school and number == len(at_school)


def test_by_groups_reads_everything_a_list_of_groups_or_a_subquery(db_ctx):
    from schoolportal.core.models import Group
    from schoolportal.core.prepared import Bound, prepared_by_groups

    def pupils(scope, first_name_after):
        return scope.where(Pupil.first_name > first_name_after).order_by(Pupil.id)

    def of_groups(group_ids):
        return Pupil.select(Pupil.id).where(Pupil.group.in_(group_ids))

    by_groups = prepared_by_groups(pupils, of_groups, lambda: Pupil.select(Pupil.id))
    groups = {g.name: g.id for g in Group.select()}
    every = [p.id for p in Pupil.select(Pupil.id).order_by(Pupil.id)]
    in_five = [p.id for p in Pupil.select(Pupil.id).where(Pupil.group == groups["Groep 5"])
               .order_by(Pupil.id)]
    assert every and in_five and len(in_five) < len(every)
    for _ in range(2):  # built, then from the kept texts
        assert [p.id for p in by_groups(None, "")] == every
        assert [p.id for p in by_groups([groups["Groep 5"]], "")] == in_five
        assert [p.id for p in by_groups([], "")] == []
    assert len(by_groups.for_all.templates) == 1 and len(by_groups.in_groups.templates) == 1
    subquery = Group.select(Group.id).where(Group.name == "Groep 5")
    query = by_groups(subquery, "")  # a subquery: built the peewee way, not from kept text
    assert not isinstance(query, Bound) and [p.id for p in query] == in_five
