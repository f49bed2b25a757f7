"""Deny by default: every route declares who may use it; nobody sees another group."""

import re

import pytest
from flask import Blueprint
from werkzeug.routing.converters import NumberConverter

from schoolportal import authz
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil, User
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT

SKIP_METHODS = {"HEAD", "OPTIONS"}


def test_every_route_declares_an_access_rule(app):
    missing = [
        rule.rule for rule in app.url_map.iter_rules()
        if authz.rule_of(rule.endpoint, app) is None
    ]
    assert missing == [], f"routes without @public or @allow(...): {missing}"


# Every page open without an account, and why. A new public page must be added here.
PUBLIC_ENDPOINTS = {
    "static",  # CSS, JavaScript, icons
    "auth.login", "auth.login_submit", "auth.choose_language",
    # Logging in with a passkey, and the second step after a staff member's password.
    "auth.passkey_options", "auth.passkey_login", "auth.second_step", "auth.second_step_code",
    "auth.second_step_recovery", "auth.second_step_passkey_options", "auth.second_step_passkey",
    # The single-use link in an invitation, and resetting a forgotten password.
    "onboarding.activate", "onboarding.activate_submit",
    "onboarding.forgot_password", "onboarding.forgot_password_submit",
    "onboarding.reset_password", "onboarding.reset_password_submit",
    # Someone with parental authority asks for an account.
    "access.request_access", "access.request_access_submit",
    # The private calendar feed for the phone's calendar app: its long random token is the key.
    "calendar.ics_feed",
    # For a monitor: whether the database answers and the worker runs, no data.
    "system.healthz",
    # What makes the portal installable; the same for everyone, nothing of a group in it.
    "webapp.manifest", "webapp.service_worker", "webapp.offline",
}


def test_only_the_known_pages_are_public(app):
    public = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if authz.rule_of(rule.endpoint, app) == authz.PUBLIC
    }
    assert public == PUBLIC_ENDPOINTS


def test_a_route_without_a_rule_is_refused(own_app):
    bp = Blueprint("careless", __name__)

    @bp.get("/careless")
    def careless():
        return "leaked"

    own_app.register_blueprint(bp)
    response = own_app.test_client().get("/careless")
    assert response.status_code == 403 and "leaked" not in response.get_data(as_text=True)


def test_allow_refuses_unknown_roles():
    with pytest.raises(ValueError):
        authz.allow("janitor")
    with pytest.raises(ValueError):
        authz.allow()


def _group_1_2a_secrets(app):
    """Group 1/2A's id, name and the names of its pupils."""
    with app.app_context(), db.connection_context():
        group = Group.get(Group.name == "Groep 1/2A")
        names = [p.full_name for p in Pupil.select().where(Pupil.group == group)]
        pupil_ids = [p.id for p in Pupil.select().where(Pupil.group == group)]
    return group.id, names, pupil_ids


def _urls_aimed_at(app, group_id, pupil_ids):
    """Every GET route, with its ids filled in to point at Groep 1/2A."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for pupil_id in pupil_ids[:3] if "pupil_id" in rule.arguments else [None]:
            values = {}
            for name in rule.arguments:
                if name == "group_id":
                    values[name] = group_id
                elif name == "pupil_id":
                    values[name] = pupil_id
                elif isinstance(rule._converters[name], NumberConverter):
                    values[name] = 1
                else:
                    values[name] = "x"
            urls.append(rule.build(values)[1])
    return urls


def test_parent_of_group_5_reaches_nothing_of_group_1_2a(app, other_parent):
    group_id, pupil_names, pupil_ids = _group_1_2a_secrets(app)
    urls = _urls_aimed_at(app, group_id, pupil_ids)
    assert f"/groups/{group_id}" in urls
    for url in urls:
        response = other_parent.get(url)
        html = response.get_data(as_text=True)
        if response.status_code == 200:
            assert "Groep 1/2A" not in html, url
            leaked = [name for name in pupil_names if name in html]
            assert leaked == [], f"{url} shows {leaked}"
        elif response.status_code == 302:
            assert f"/groups/{group_id}" not in response.headers["Location"], url
        elif url == "/healthz":  # 503 here: the worker has not run in this test
            assert response.status_code == 503 and "Groep" not in html
        else:
            assert response.status_code in (403, 404), (url, response.status_code)


@pytest.mark.parametrize(
    "guess", ["/groups/{id}", "/groups/{id}?q=a", "/groups/999999", "/groups/99999999999999999999"]
)
def test_guessed_group_ids_give_404(app, other_parent, guess):
    group_id, _names, _ids = _group_1_2a_secrets(app)
    assert other_parent.get(guess.format(id=group_id)).status_code == 404


def test_logged_out_visitor_reaches_no_page(app, client):
    group_id, names, pupil_ids = _group_1_2a_secrets(app)
    adapter = app.url_map.bind("localhost")
    for url in _urls_aimed_at(app, group_id, pupil_ids):
        response = client.get(url)
        if adapter.match(url.split("?")[0])[0] in PUBLIC_ENDPOINTS:
            # Open on purpose (listed above), but showing nothing of a group.
            html = response.get_data(as_text=True)
            assert "Groep 1/2A" not in html and not [n for n in names if n in html], url
            continue
        assert response.status_code in (302, 401, 403, 404), url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), url


def test_visible_groups_per_role(app):
    with app.app_context(), db.connection_context():
        def names(email):
            return [g.name for g in authz.visible_groups(User.by_email(email))]

        assert names(PARENT) == ["Groep 1/2A"]
        assert names(OTHER_PARENT) == ["Groep 5"]
        assert names(TWO_GROUP_PARENT) == ["Groep 1/2A", "Groep 5"]
        assert names(TEACHER) == ["Groep 1/2A"]
        assert names("directie@example.org") == ["Groep 1/2A", "Groep 5", "Groep 8"]


@pytest.mark.parametrize("email", [PARENT, OTHER_PARENT, TWO_GROUP_PARENT, TEACHER,
                                   "directie@example.org"])
def test_the_per_request_group_list_is_the_policy_s_list(app, email):
    """A parent's list is worked out from the children; it must say what the query says,
    also when a child left school or a group was archived."""
    from schoolportal.core.clock import school_today
    from schoolportal.core.models import Guardianship

    with app.app_context(), db.connection_context():
        user = User.by_email(email)
        if email == TWO_GROUP_PARENT:  # one child left, the other's group archived
            first, second = [g.pupil for g in Guardianship.select().where(
                Guardianship.guardian == user).order_by(Guardianship.pupil)]
            Pupil.update(left_on=school_today()).where(Pupil.id == first.id).execute()
            Group.update(archived_at=Pupil.get_by_id(second.id).created_at).where(
                Group.id == second.group_id).execute()
        expected = [g.id for g in authz.visible_groups(user)]
    with app.test_request_context(), db.connection_context():
        assert [g.id for g in authz.visible_group_list(user)] == expected


def test_parent_sees_only_own_children_by_name(app):
    with app.app_context(), db.connection_context():
        seen = [p.full_name for p in authz.visible_pupils(User.by_email(TWO_GROUP_PARENT))]
        assert seen == ["Adam El Mansouri", "Yasmin El Mansouri"]


def test_nav_shows_only_own_spaces(parent, other_parent):
    nav = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
    jansen = nav.search(parent.get("/").get_data(as_text=True)).group(0)
    bakker = nav.search(other_parent.get("/").get_data(as_text=True)).group(0)
    assert "Groep 1/2A" in jansen and "Groep 5" not in jansen
    assert "Groep 5" in bakker and "Groep 1/2A" not in bakker


def test_expired_session_on_an_htmx_request_sends_the_window_to_login(app, client):
    group_id, _names, _ids = _group_1_2a_secrets(app)
    response = client.get(f"/groups/{group_id}?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert response.get_data(as_text=True) == ""
