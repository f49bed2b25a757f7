"""The group directory: teachers, and parents only when they chose to appear (and with what)."""

from datetime import timedelta

import pytest

from schoolportal.conversations import directory
from schoolportal.conversations.models import DirectoryEntry
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Pupil, User
from tests.support.web import OTHER_PARENT, OTHER_TEACHER, PARENT, TWO_GROUP_PARENT, csrf_token_from

SETTINGS = "/directory/settings"


def _url(groups, name="Groep 1/2A"):
    return f"/groups/{groups[name].id}/directory"


def _opt_in(app, email, show_email=False, show_phone=False, phone=""):
    with app.app_context(), db.connection_context():
        directory.save_entry(User.by_email(email), True, show_email, show_phone, phone)


def _entries(app):
    with app.app_context(), db.connection_context():
        return [(e.user.email, e.show_in_directory, e.show_email, e.show_phone, e.phone)
                for e in DirectoryEntry.select()]


def _save(client, **data):
    data.setdefault("csrf_token", csrf_token_from(client.get(SETTINGS).get_data(as_text=True)))
    return client.post(SETTINGS, data=data)


def test_directory_lists_teachers_and_nobody_else_by_default(parent, groups):
    html = parent.get(_url(groups)).get_data(as_text=True)
    assert "Contactlijst van Groep 1/2A" in html and "juf Sanne" in html
    assert "Nog geen ouder heeft ervoor gekozen" in html
    assert "Nadia El Mansouri" not in html and "Yasmin" not in html


def test_a_parent_who_opted_in_shows_with_the_child_in_that_group_only(app, parent, groups,
                                                                        other_parent):
    _opt_in(app, TWO_GROUP_PARENT)
    html = parent.get(_url(groups)).get_data(as_text=True)
    assert "Nadia El Mansouri" in html and "Ouder van Yasmin El Mansouri" in html
    assert "Adam" not in html  # Adam is in Groep 5
    assert "ouder.elmansouri@example.org" not in html and "mailto:" not in html
    other = other_parent.get(_url(groups, "Groep 5")).get_data(as_text=True)
    assert "Ouder van Adam El Mansouri" in other and "Yasmin" not in other


def test_email_and_phone_only_when_chosen(app, parent, groups):
    _opt_in(app, TWO_GROUP_PARENT, show_email=False, show_phone=False, phone="06 12345678")
    assert "06 12345678" not in parent.get(_url(groups)).get_data(as_text=True)
    _opt_in(app, TWO_GROUP_PARENT, show_email=True, show_phone=True, phone="06 12345678")
    html = parent.get(_url(groups)).get_data(as_text=True)
    assert 'href="mailto:ouder.elmansouri@example.org"' in html
    assert 'href="tel:0612345678"' in html


def test_pupils_who_left_and_deactivated_parents_are_not_listed(app, parent, groups):
    _opt_in(app, TWO_GROUP_PARENT)
    with app.app_context(), db.connection_context():
        Pupil.update(left_on=school_today() - timedelta(days=1)).where(
            Pupil.first_name == "Yasmin").execute()
    assert "Nadia El Mansouri" not in parent.get(_url(groups)).get_data(as_text=True)
    _opt_in(app, PARENT)
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.email == PARENT).execute()
        listed = [p.user.email for p in directory.group_directory(
            groups["Groep 1/2A"])]
    assert PARENT not in listed


@pytest.mark.parametrize("who", ["other_parent", "other_teacher"])
def test_another_groups_directory_gives_404(request, login_as, groups, who):
    client = request.getfixturevalue(who) if who == "other_parent" else login_as(OTHER_TEACHER)
    assert client.get(_url(groups)).status_code == 404


@pytest.mark.parametrize("guess", ["999999", "99999999999999999999", "-1", "abc"])
def test_guessed_group_ids_give_404(parent, guess):
    assert parent.get(f"/groups/{guess}/directory").status_code == 404


def test_directory_index(parent, login_as, groups):
    response = parent.get("/directory")
    assert response.status_code == 302 and response.headers["Location"] == _url(groups)
    html = login_as(TWO_GROUP_PARENT).get("/directory").get_data(as_text=True)
    assert _url(groups) in html and _url(groups, "Groep 5") in html


def test_parent_opts_in_through_the_settings_page(app, parent, other_parent, groups):
    assert 'name="show_in_directory"' in parent.get(SETTINGS).get_data(as_text=True)
    response = _save(parent, show_in_directory="y", show_email="y", phone="")
    assert response.status_code == 302
    assert "Je instellingen voor de contactlijst zijn opgeslagen." in parent.get(
        SETTINGS).get_data(as_text=True)
    assert _entries(app) == [(PARENT, True, True, False, "")]
    html = login_as_page(app, TWO_GROUP_PARENT, _url(groups))
    assert "Eva Jansen" in html and "ouder.jansen@example.org" in html
    _save(parent)  # all unticked: out of the directory again
    assert _entries(app) == [(PARENT, False, False, False, "")]
    assert "Eva Jansen" not in login_as_page(app, TWO_GROUP_PARENT, _url(groups))


def login_as_page(app, email, url):
    """The page at url for a freshly logged-in demo user."""
    from tests.support.web import login

    client = app.test_client()
    login(client, email)
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"show_phone": "y", "phone": ""}, "Vul het telefoonnummer in"),
    ({"phone": "bel me maar"}, "alleen cijfers"),
    ({"phone": "0" * 10_000}, "Gebruik hoogstens 20 tekens."),
    ({"phone": "06\x0012345678"}, "niet toegestaan"),
])
def test_bad_directory_settings_change_nothing(app, parent, data, message):
    response = _save(parent, show_in_directory="y", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _entries(app) == []


def test_directory_settings_need_a_csrf_token(app, parent):
    assert parent.post(SETTINGS, data={"show_in_directory": "y"}).status_code == 400
    assert _entries(app) == []


def test_only_parents_have_directory_settings(teacher, admin):
    assert teacher.get(SETTINGS).status_code == 403
    assert admin.get(SETTINGS).status_code == 403


def test_staff_see_the_directory_of_their_group(app, teacher, admin, groups):
    _opt_in(app, PARENT)
    for client in (teacher, admin):
        assert "Eva Jansen" in client.get(_url(groups)).get_data(as_text=True)


def test_other_parent_sees_no_one_from_group_1_2a(app, other_parent, groups):
    _opt_in(app, PARENT, show_email=True)
    html = other_parent.get(_url(groups, "Groep 5")).get_data(as_text=True)
    assert "Eva Jansen" not in html and OTHER_PARENT not in html
