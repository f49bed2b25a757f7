"""The school-wide space and the group spaces."""

from schoolportal.core.extensions import db
from schoolportal.core.models import Pupil


def _group_id(groups, name="Groep 1/2A"):
    return groups[name].id


def test_everyone_sees_the_school_wide_space(parent, teacher, admin):
    for client in (parent, teacher, admin):
        page = client.get("/school")
        assert page.status_code == 200 and "Schoolbreed" in page.get_data(as_text=True)


def test_teacher_sees_the_whole_class(app, teacher, groups):
    html = teacher.get(f"/groups/{_group_id(groups)}").get_data(as_text=True)
    with app.app_context(), db.connection_context():
        pupils = Pupil.select().where(Pupil.group == groups["Groep 1/2A"])
        assert len(pupils) == 20
        assert all(p.full_name in html for p in pupils)
    assert "juf Sanne" in html


def test_teacher_cannot_open_another_teachers_group(teacher, groups):
    assert teacher.get(f"/groups/{_group_id(groups, 'Groep 5')}").status_code == 404


def test_parent_sees_only_own_child_in_the_group(parent, groups):
    html = parent.get(f"/groups/{_group_id(groups)}").get_data(as_text=True)
    assert "Sem Jansen" in html and "Yasmin El Mansouri" not in html
    assert 'name="q"' not in html  # no class list to search


def test_pupil_filter_full_page_without_javascript(teacher, groups):
    page = teacher.get(f"/groups/{_group_id(groups)}?q=jansen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Sem Jansen" in html and "Yasmin El Mansouri" not in html
    assert 'value="jansen"' in html


def test_pupil_filter_fragment_for_htmx(teacher, groups):
    url = f"/groups/{_group_id(groups)}?q=mansouri"
    response = teacher.get(url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.strip().startswith('<div id="spaces-pupils">')
    assert "Yasmin El Mansouri" in html and "Sem Jansen" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_pupil_filter_with_no_match_says_so(teacher, groups):
    html = teacher.get(f"/groups/{_group_id(groups)}?q=zzzz").get_data(as_text=True)
    assert "Geen leerling gevonden" in html


def test_pupil_filter_survives_hostile_input(teacher, groups):
    for query in ("%", "_", "' OR 1=1 --", "x" * 10_000, "😀", "\\"):
        response = teacher.get(f"/groups/{_group_id(groups)}", query_string={"q": query})
        assert response.status_code == 200, query


def test_admin_sees_every_group(admin, groups):
    for group in groups.values():
        assert admin.get(f"/groups/{group.id}").status_code == 200
