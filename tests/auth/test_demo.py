"""The demo contract: a freshly seeded school lets staff in with their password alone."""

from datetime import timedelta

from flask_babel import format_date

from schoolportal.auth import demo as auth_demo
from schoolportal.auth.models import SecondFactorObligation
from schoolportal.core.clock import school_today
from tests.support.web import ADMIN, TEACHER, login

MARLOES = "juf.marloes@example.org"


def test_staff_log_in_with_their_password_and_are_reminded(app, ctx):
    today = school_today()
    ctx(auth_demo.seed, today)
    ctx(auth_demo.seed, today)  # seed-demo may run again: nothing twice
    assert ctx(SecondFactorObligation.select().count) == 1
    for email in (TEACHER, ADMIN, "administratie@example.org", MARLOES):
        client = app.test_client()
        assert login(client, email).headers["Location"] == "/", email
        home = client.get("/").get_data(as_text=True)
        assert "Beveilig je account met een tweede stap" in home, email
    with app.test_request_context():
        due = format_date(today + timedelta(days=4), "long")
    client = app.test_client()
    login(client, MARLOES)
    assert f"vanaf {due} is die verplicht" in client.get("/").get_data(as_text=True)
