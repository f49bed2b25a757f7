"""The year calendar: month and agenda, activities, the editor, the year overview, the demo."""

import logging
from datetime import date, time, timedelta

import pytest

from schoolportal.calendar import service
from schoolportal.calendar.models import Activity, ActivityGroup
from schoolportal.core import worker
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, User
from tests.support.web import OTHER_PARENT, TEACHER, TWO_GROUP_PARENT, csrf_token_from


def add_activity(app, title, first, last=None, groups=(), start=None, end=None, place=""):
    """Put an activity in the calendar as the director would; returns its id."""
    with app.app_context(), db.connection_context():
        ids = [Group.get(Group.name == name).id for name in groups]
        data = service.ActivityData(
            title=title, starts_on=first, ends_on=last or first, starts_at=start, ends_at=end,
            place=place, whole_school=not groups, group_ids=tuple(ids))
        return service.save_activity(None, data, User.by_email("directie@example.org")).id


def school_today(app):
    """Today at the school, as the app sees it."""
    with app.app_context():
        return worker.school_today()


@pytest.fixture
def october(app):
    """October 2026: the autumn holiday for all, a 1/2A-only and a Groep 5-only activity."""
    return {
        "holiday": add_activity(app, "Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
        "kleuters": add_activity(app, "Kleuterfeest", date(2026, 10, 7), groups=["Groep 1/2A"],
                                 start=time(9), end=time(11), place="Speelzaal"),
        "groep5": add_activity(app, "Museumbezoek", date(2026, 10, 8), groups=["Groep 5"],
                               start=time(10), end=time(12)),
    }


def count(app, model):
    """How many rows a table has."""
    with app.app_context(), db.connection_context():
        return model.select().count()


def post_form(client, url, data, page_url=None):
    """Post a form with the CSRF token from the page it lives on."""
    token = csrf_token_from(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


# --- Seeing the calendar -------------------------------------------------------------------

def test_month_shows_whole_school_and_own_group_only(october, parent, other_parent):
    mine = parent.get("/agenda/2026/10").get_data(as_text=True)
    assert "Herfstvakantie" in mine and "Kleuterfeest" in mine and "Speelzaal" in mine
    assert "Museumbezoek" not in mine
    theirs = other_parent.get("/agenda/2026/10").get_data(as_text=True)
    assert "Herfstvakantie" in theirs and "Museumbezoek" in theirs
    assert "Kleuterfeest" not in theirs and "Groep 1/2A" not in theirs


def test_a_parent_of_two_groups_sees_both(october, login_as):
    html = login_as(TWO_GROUP_PARENT).get("/agenda/2026/10").get_data(as_text=True)
    assert "Kleuterfeest" in html and "Museumbezoek" in html


def test_month_has_agenda_list_and_grid_with_ranges_on_every_day(october, parent):
    html = parent.get("/agenda/2026/10").get_data(as_text=True)
    assert 'class="calendar-agenda"' in html and 'class="calendar-grid"' in html
    assert "<h2" in html and "oktober 2026" in html
    # The list names the range once; the grid shows it on each of its nine days.
    assert html.count("za 17 okt – zo 25 okt") == 1
    assert html.count(">Herfstvakantie</a>") == 1 + 9
    assert 'rel="prev" href="/agenda/2026/9"' in html
    assert 'rel="next" href="/agenda/2026/11"' in html


def test_month_navigation_is_a_plain_link_and_an_htmx_fragment(october, parent):
    page = parent.get("/agenda/2026/10")
    html = page.get_data(as_text=True)
    assert "<html" in html and 'hx-get="/agenda/2026/11"' in html
    assert 'hx-target="#calendar-month"' in html
    fragment = parent.get("/agenda/2026/10", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert text.lstrip().startswith('<section id="calendar-month"') and "Herfstvakantie" in text
    assert "HX-Request" in fragment.headers["Vary"]


def test_this_month_is_the_default(parent, app):
    today = school_today(app)
    html = parent.get("/agenda").get_data(as_text=True)
    assert 'aria-current="date"' in html and "Jaarkalender" in html
    assert f'href="/agenda/{today.year}/{today.month}"' not in html  # no "back to" link


@pytest.mark.parametrize("url", ["/agenda/2026/13", "/agenda/2026/0", "/agenda/99999/1",
                                 "/agenda/1999/12", "/agenda/year/1999", "/agenda/year/2099",
                                 "/agenda/99999999999999999999/1"])
def test_months_out_of_range_are_404(parent, url):
    assert parent.get(url).status_code == 404


def test_activity_page_and_404_for_other_groups(october, parent, other_parent):
    url = f"/agenda/activities/{october['kleuters']}"
    html = parent.get(url).get_data(as_text=True)
    assert "Kleuterfeest" in html and "woensdag 7 oktober 2026, 09:00–11:00" in html
    assert "Groep 1/2A" in html and "Speelzaal" in html
    assert other_parent.get(url).status_code == 404
    for guess in ("/agenda/activities/999999", "/agenda/activities/99999999999999999999"):
        assert other_parent.get(guess).status_code == 404


def test_multi_day_activity_page_counts_days(october, parent):
    html = parent.get(f"/agenda/activities/{october['holiday']}").get_data(as_text=True)
    assert "zaterdag 17 oktober 2026 – zondag 25 oktober 2026" in html and "9 dagen" in html
    assert "Hele school" in html


@pytest.mark.parametrize("url", ["/agenda", "/agenda/2026/10", "/agenda/year",
                                 "/agenda/activities/1", "/agenda/activities/new",
                                 "/agenda/feed", "/agenda/import"])
def test_logged_out_visitors_go_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and "/login" in fragment.headers["HX-Redirect"]


def test_year_overview_lists_the_school_year_by_month(october, other_parent):
    html = other_parent.get("/agenda/year/2026").get_data(as_text=True)
    assert "Jaarkalender 2026-2027" in html
    assert html.index("augustus 2026") < html.index("oktober 2026") < html.index("juli 2027")
    assert "Herfstvakantie" in html and "Museumbezoek" in html and "Kleuterfeest" not in html
    assert 'href="/agenda/year/2027"' in html


def test_home_panel_shows_what_is_coming_for_every_role(app, parent, other_parent, teacher,
                                                        admin):
    soon = school_today(app) + timedelta(days=3)
    add_activity(app, "Voorleesochtend", soon, groups=["Groep 1/2A"])
    add_activity(app, "Ver weg", soon + timedelta(days=60))
    for client, sees in ((parent, True), (teacher, True), (admin, True), (other_parent, False)):
        html = client.get("/").get_data(as_text=True)
        assert "Binnenkort" in html and 'href="/agenda"' in html
        assert ("Voorleesochtend" in html) is sees
        assert "Ver weg" not in html


def test_month_page_queries_do_not_grow_with_activities(app, parent, caplog):
    def statements():
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            assert parent.get("/agenda/2026/10").status_code == 200
        return len([r for r in caplog.records if r.name == "peewee"])

    add_activity(app, "Eén", date(2026, 10, 5), groups=["Groep 1/2A"])
    few = statements()
    for day in range(1, 20):
        add_activity(app, f"Dag {day}", date(2026, 10, day), groups=["Groep 1/2A", "Groep 5"])
    assert statements() == few


# --- Editing --------------------------------------------------------------------------------

def activity_form(**changes):
    """A valid editor submission, changed where the test says."""
    return {"title": "Kleuterfeest", "starts_on": "2026-12-09", "ends_on": "",
            "starts_at": "09:00", "ends_at": "11:30", "place": "Speelzaal",
            "description": "Verkleed komen mag.", "audience": "groups", "link_url": "",
            **changes}


def test_teacher_adds_an_activity_for_own_group(app, teacher, groups, parent, other_parent):
    response = post_form(teacher, "/agenda/activities/new",
                         activity_form(groups=str(groups["Groep 1/2A"].id)))
    assert response.status_code == 302
    with app.app_context(), db.connection_context():
        saved = Activity.get(Activity.title == "Kleuterfeest")
        assert (saved.starts_on, saved.ends_on, saved.starts_at) == (
            date(2026, 12, 9), date(2026, 12, 9), time(9))
        assert not saved.whole_school and service.group_ids_of(saved) == [
            groups["Groep 1/2A"].id]
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "is toegevoegd aan de kalender" in page and "juf Sanne" in page
    assert "Kleuterfeest" in parent.get("/agenda/2026/12").get_data(as_text=True)
    assert "Kleuterfeest" not in other_parent.get("/agenda/2026/12").get_data(as_text=True)


def test_the_editor_offers_staff_only_their_groups(teacher, admin):
    html = teacher.get("/agenda/activities/new?on=2026-12-09").get_data(as_text=True)
    assert "Groep 1/2A" in html and "Groep 5" not in html and "De hele school" not in html
    assert 'value="2026-12-09"' in html
    assert "De hele school" in admin.get("/agenda/activities/new").get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"groups": "GROEP5"}, "is een ongeldige keuze"),
    ({"groups": ""}, "Kies minstens één groep"),
])
def test_staff_cannot_plan_for_the_school_or_other_groups(app, teacher, groups, changes,
                                                          message):
    data = activity_form(**{"groups": str(groups["Groep 1/2A"].id), **changes})
    if data["groups"] == "GROEP5":
        data["groups"] = str(groups["Groep 5"].id)
    response = post_form(teacher, "/agenda/activities/new", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app, Activity) == 0


def test_staff_asking_for_the_whole_school_get_their_group(app, teacher, groups):
    response = post_form(teacher, "/agenda/activities/new", activity_form(
        audience="school", groups=str(groups["Groep 1/2A"].id)))
    assert response.status_code == 302
    with app.app_context(), db.connection_context():
        assert not Activity.get().whole_school


def test_admin_adds_a_whole_school_holiday(app, admin, other_parent):
    response = post_form(admin, "/agenda/activities/new", activity_form(
        title="Kerstvakantie", starts_on="2026-12-19", ends_on="2027-01-03", starts_at="",
        ends_at="", place="", description="", audience="school"))
    assert response.status_code == 302
    html = other_parent.get("/agenda/2027/1").get_data(as_text=True)
    # Once in the list, and on 28 December to 3 January in the grid (its first week).
    assert html.count(">Kerstvakantie</a>") == 1 + 7
    with app.app_context(), db.connection_context():
        saved = Activity.get(Activity.title == "Kerstvakantie")
        assert saved.all_day and saved.whole_school and saved.days == 16


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Vul een titel in"),
    ({"title": "x" * 10_000}, "Gebruik hoogstens 200 tekens"),
    ({"title": "Feest\x00"}, "tekens die niet toegestaan zijn"),
    ({"starts_on": ""}, "Vul de datum in"),
    ({"starts_on": "9999-12-31"}, "Kies data tussen 2000 en 2099"),
    ({"ends_on": "2026-12-01"}, "De laatste dag kan niet vóór de eerste dag"),
    ({"ends_at": ""}, "Vul beide tijden in"),
    ({"ends_at": "08:00"}, "De eindtijd moet na de begintijd"),
    ({"ends_on": "2028-01-01"}, "hoogstens 366 dagen"),
    ({"link_url": "javascript:alert(1)"}, "https://"),
    ({"description": "x" * 6000}, "Gebruik hoogstens 5000 tekens"),
])
def test_bad_editor_input_is_refused_and_nothing_saved(app, admin, changes, message):
    response = post_form(admin, "/agenda/activities/new", activity_form(
        audience="school", **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Activity) == 0


def test_unicode_titles_are_kept(app, admin):
    title = "Iftar-maaltijd 🌙 met groep 1/2A — ‘samen’ eten"
    post_form(admin, "/agenda/activities/new", activity_form(title=title, audience="school"))
    assert title in admin.get("/agenda/2026/12").get_data(as_text=True)


def test_missing_or_wrong_csrf_changes_nothing(app, admin):
    for token in (None, "wrong"):
        data = activity_form(audience="school")
        if token:
            data["csrf_token"] = token
        assert admin.post("/agenda/activities/new", data=data).status_code == 400
    assert count(app, Activity) == 0


def test_editing_keeps_the_activity_and_bumps_its_sequence(app, october, admin):
    url = f"/agenda/activities/{october['holiday']}/edit"
    form = admin.get(url).get_data(as_text=True)
    assert 'value="Herfstvakantie"' in form and 'value="2026-10-25"' in form
    response = post_form(admin, url, activity_form(
        title="Herfstvakantie (verlengd)", starts_on="2026-10-17", ends_on="2026-10-26",
        starts_at="", ends_at="", place="", description="", audience="school"))
    assert response.status_code == 302
    with app.app_context(), db.connection_context():
        saved = Activity.get_by_id(october["holiday"])
        assert (saved.title, saved.ends_on, saved.sequence) == (
            "Herfstvakantie (verlengd)", date(2026, 10, 26), 1)
        assert count(app, Activity) == 3


def test_teachers_change_only_activities_of_their_own_groups(october, teacher, login_as):
    assert teacher.get(f"/agenda/activities/{october['kleuters']}/edit").status_code == 200
    assert teacher.get(f"/agenda/activities/{october['holiday']}/edit").status_code == 404
    assert teacher.get(f"/agenda/activities/{october['groep5']}/edit").status_code == 404
    html = teacher.get(f"/agenda/activities/{october['holiday']}").get_data(as_text=True)
    assert "Bewerken of verwijderen" not in html
    ahmed = login_as("meester.ahmed@example.org")
    assert ahmed.get(f"/agenda/activities/{october['kleuters']}/edit").status_code == 404


def test_parents_cannot_reach_the_editor(october, parent):
    assert parent.get("/agenda/activities/new").status_code == 403
    assert parent.get(f"/agenda/activities/{october['kleuters']}/edit").status_code == 403
    token = csrf_token_from(parent.get("/agenda/feed").get_data(as_text=True))
    response = parent.post(f"/agenda/activities/{october['kleuters']}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 403


def test_deleting_an_activity(app, october, teacher):
    url = f"/agenda/activities/{october['kleuters']}"
    response = post_form(teacher, f"{url}/delete", {}, page_url=f"{url}/edit")
    assert response.status_code == 302 and response.headers["Location"] == "/agenda/2026/10"
    assert count(app, Activity) == 2 and count(app, ActivityGroup) == 1
    assert teacher.get(url).status_code == 404
    again = post_form(teacher, f"{url}/delete", {}, page_url="/agenda/activities/new")
    assert again.status_code == 404


def test_deleting_needs_the_csrf_token(app, october, admin):
    url = f"/agenda/activities/{october['holiday']}/delete"
    assert admin.post(url).status_code == 400
    assert count(app, Activity) == 3


def test_nav_has_the_year_calendar_for_everyone(parent, teacher, admin):
    for client in (parent, teacher, admin):
        html = client.get("/").get_data(as_text=True)
        assert '<a href="/agenda"' in html and ">Jaarkalender<" in html


# --- Demo -------------------------------------------------------------------------------------

def test_demo_year_is_seeded_once(app):
    runner = app.test_cli_runner()
    counts = []
    for _ in range(2):
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        counts.append((count(app, Activity), count(app, ActivityGroup)))
    assert counts[0] == counts[1] and counts[0][0] >= 20
    with app.app_context(), db.connection_context():
        autumn = Activity.get(Activity.title == "Herfstvakantie")
        assert (autumn.starts_on, autumn.ends_on, autumn.all_day) == (
            date(2026, 10, 17), date(2026, 10, 25), True)
        trip = Activity.get(Activity.title == "Schoolreisje")
        assert [g.name for g in Group.select().where(
            Group.id.in_(service.group_ids_of(trip)))] == ["Groep 5"]
        summer = Activity.get(Activity.title == "Zomervakantie")
        assert summer.starts_on == date(2027, 7, 10)


def test_demo_year_shows_holidays_to_parents(app, login_as):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    bakker = login_as(OTHER_PARENT)
    html = bakker.get("/agenda/year/2026").get_data(as_text=True)
    for title in ("Herfstvakantie", "Kerstvakantie", "Voorjaarsvakantie", "Meivakantie",
                  "Zomervakantie", "Koningsdag", "Sinterklaasviering", "Schoolreisje"):
        assert title in html, title
    assert "Kamp" not in html and "Voorleesontbijt" not in html  # Groep 8 and 1/2A only
    sanne = login_as(TEACHER)
    assert "Voorleesontbijt" in sanne.get("/agenda/2027/1").get_data(as_text=True)


def test_calendar_pages_stay_light(app, parent, admin):
    from tests.support.weight import LIMIT, first_load_bytes

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    for client, url in ((parent, "/agenda/2026/12"), (parent, "/agenda/year/2026"),
                        (admin, "/agenda/2027/6"), (admin, "/agenda/activities/new"),
                        (parent, "/agenda/feed")):
        size = first_load_bytes(client, url)
        print(f"{url}: {size} bytes gzip")
        assert size <= LIMIT, url
