"""The home page per role."""

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


def test_pages_are_not_cached(parent):
    assert parent.get("/").headers["Cache-Control"] == "no-store"
