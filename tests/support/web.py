"""The demo accounts, logging in through the real form, CSRF tokens, one worker round."""

import re

from schoolportal.admin import demo as admin_demo

DEMO_PASSWORD = admin_demo.DEMO_PASSWORD
ADMIN = "directie@example.org"
TEACHER = "juf.sanne@example.org"  # Groep 1/2A
OTHER_TEACHER = "meester.ahmed@example.org"  # Groep 5
PARENT = "ouder.jansen@example.org"  # one child in Groep 1/2A
OTHER_PARENT = "ouder.bakker@example.org"  # one child in Groep 5
TWO_GROUP_PARENT = "ouder.elmansouri@example.org"  # a child in Groep 1/2A and one in Groep 5


def run_worker(app):
    """One round of the mail worker, as `flask mail-worker --once` does it."""
    result = app.test_cli_runner().invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def csrf_token_from(html):
    """The CSRF token of the first form on a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token_for(client):
    """The CSRF token a form would carry for this client's session, without rendering a
    page: Flask-WTF's own generate_csrf, run on the client's session.

    The login page also reads the school once per process and database (its name, see
    School.current); so does this, so that the pages a test counts statements of after
    logging in find what they would find after the real login page.
    """
    from flask import session as request_session
    from flask_wtf.csrf import generate_csrf

    from schoolportal.core.extensions import db
    from schoolportal.core.models import School

    app = client.application
    with client.session_transaction() as session, app.test_request_context():
        request_session.update(session)
        token = generate_csrf()
        session.update(request_session)
        with db.connection_context():
            School.current()
    return token


def login(client, email, password=DEMO_PASSWORD):
    """Log in with the login form's POST and a real CSRF token; returns the response.

    The token is made as the login page makes it (csrf_token_for): rendering the page for
    it cost a fifth of every test's login. tests/auth checks the page and its form."""
    return client.post(
        "/login", data={"email": email, "password": password,
                        "csrf_token": csrf_token_for(client)}
    )
