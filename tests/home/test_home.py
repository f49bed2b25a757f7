"""The home page per role."""

from datetime import date

from tests.support.web import OTHER_TEACHER, TWO_GROUP_PARENT


def test_parent_home_lists_children_and_their_teachers(parent):
    html = parent.get("/").get_data(as_text=True)
    assert "Sem Jansen" in html and "Groep 1/2A" in html and "juf Sanne" in html
    assert "Ziekmelden" in html or "ziek" in html.lower()


def test_parent_with_two_children_sees_both(login_as):
    html = login_as(TWO_GROUP_PARENT).get("/").get_data(as_text=True)
    assert "Yasmin El Mansouri" in html and "Adam El Mansouri" in html
    assert "meester Ahmed" in html and "juf Sanne" in html


def test_teacher_home_lists_own_groups(login_as):
    html = login_as(OTHER_TEACHER).get("/").get_data(as_text=True)
    assert "Groep 5" in html and "20 leerlingen" in html
    assert "Groep 1/2A" not in html


def test_admin_home_shows_the_school(admin):
    html = admin.get("/").get_data(as_text=True)
    assert "OBS De Regenboog" in html
    for name in ("Groep 1/2A", "Groep 5", "Groep 8"):
        assert name in html
    assert "60" in html  # pupils


def test_school_totals_come_in_one_statement_and_match_the_counts(db_ctx):
    from schoolportal.core.models import Group, Pupil, User
    from schoolportal.home import service
    from tests.support.queries import QueryCounter

    with QueryCounter() as counter:
        totals = service.school_totals()
    assert counter.count == 1
    by_role = User.count_by_role()
    assert totals == {"groups": Group.select().count(),
                      "pupils": Pupil.select().where(Pupil.at_school()).count(), **by_role}


def test_pages_are_not_cached(parent):
    assert parent.get("/").headers["Cache-Control"] == "no-store"


def test_children_and_their_teachers_come_in_one_statement(db_ctx):
    """A brother and sister in one group list its teachers once; an inactive teacher is left
    out; a group without active staff lists nobody; the children are the policy's own."""
    from schoolportal import authz
    from schoolportal.core.models import Group, GroupStaff, Guardianship, Pupil, User
    from tests.support.queries import QueryCounter

    parent = User.by_email(TWO_GROUP_PARENT)
    groep5 = Group.get(Group.name == "Groep 5")
    sister = Pupil.create(first_name="Zara", last_name="El Mansouri", group=groep5,
                          pupil_number="RB-9001", birth_date=date(2017, 3, 1))
    Guardianship.create(guardian=parent, pupil=sister)
    extra = User.create(email="meester.invaller@example.org", display_name="meester Invaller",
                        role="staff", active=False)
    GroupStaff.create(staff=extra, group=groep5)
    with QueryCounter() as counter:
        children, staff = authz.children_with_staff(parent)
    assert counter.count == 1
    assert [c.id for c in children] == [c.id for c in authz.visible_pupils(parent)]
    assert [u.display_name for u in staff[groep5.id]] == ["meester Ahmed"]
    GroupStaff.delete().where(GroupStaff.group == groep5).execute()
    _children, staff = authz.children_with_staff(parent)
    assert staff[groep5.id] == []
