"""The new login and account pages: small, few queries, and honest without JavaScript."""

import gzip
import re

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import User
from tests.support.queries import statements_for
from tests.support.web import ADMIN, TEACHER, login

BUDGET = 10  # SQL statements per page (house rule)


@pytest.fixture
def teacher_id(app):
    with app.app_context(), db.connection_context():
        return User.by_email(TEACHER).id


def test_the_passkey_buttons_arrive_disabled_and_say_they_need_javascript(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'autocomplete="username webauthn"' in html
    button = html.split('id="auth-passkey"')[1].split("</button>")[0]
    assert "disabled" in button and "Inloggen met een passkey" in button
    assert "Voor passkeys moet JavaScript aan staan" in html
    assert re.search(r'<script src="/static/js/passkeys\.js(\?v=\w+)?" defer></script>', html)


def test_the_client_script_is_small_and_same_origin(client):
    script = client.get("/static/js/passkeys.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert len(gzip.compress(script.data)) < 3_000
    assert "http" not in script.get_data(as_text=True).replace("https://", "")


def test_pages_stay_within_the_query_budget(app, client, parent, teacher, admin, teacher_id):
    assert statements_for(client, "/login") <= BUDGET
    assert statements_for(parent, "/account") <= BUDGET
    assert statements_for(teacher, "/account/second-factor") <= BUDGET
    assert statements_for(admin, f"/admin/staff/{teacher_id}/second-factor") <= BUDGET


def test_the_second_step_page_stays_within_the_budget(app, teacher):
    from tests.auth.test_second_factor import _set_up_app

    _set_up_app(teacher)
    client = app.test_client()
    assert login(client, TEACHER).headers["Location"] == "/login/second-factor"
    assert statements_for(client, "/login/second-factor") <= BUDGET
    html = client.get("/login/second-factor").get_data(as_text=True)
    assert "Code uit je authenticator-app" in html and "Herstelcode" in html
    assert "Gebruik je passkey" not in html  # no passkey: no button for one
    assert login(app.test_client(), ADMIN).headers["Location"] == "/"
