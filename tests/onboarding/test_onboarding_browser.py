"""From invitation to first login, in a real browser with a real SMTP server on loopback.

juf Sanne invites a new address for a pupil of her group; the worker delivers the mail;
the link in it (built from BASE_URL, here the live server) is opened in a fresh browser,
the account activated, and the new parent logs out and in again with the new password.
"""

import re

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil
from tests.support.browser import assert_no_axe_violations, log_in, path_of, wait_for_htmx
from tests.support.web import TEACHER, run_worker

NEW = "nieuwe.ouder@example.org"
PASSWORD = "zonnebloem tafel fiets"
LOGOUT_BUTTON = "header form[action='/logout'] button[type=submit]"


@pytest.fixture
def sem(app):
    """Sem Jansen (Groep 1/2A, juf Sanne's group) and the id of his group."""
    with app.app_context(), db.connection_context():
        pupil = Pupil.select(Pupil, Group).join(Group).where(Pupil.first_name == "Sem").get()
        return pupil.id, pupil.group.id


def _real_errors(page):
    """Console errors, without Chromium's notes about 4xx answers the test expects."""
    return [e for e in page.errors if not re.search(r"status of 4\d\d", e)]


def _invite(page, email):
    """Fill in and send the invite form on the guardians page."""
    form = page.locator("form#invitations-invite")
    form.locator("input[name=email]").fill(email)
    form.locator("button[type=submit]").click()


def _link_in_mail(smtp_server, live_server, email):
    """The activation link in the one mail this address received."""
    [message] = smtp_server.to(email)
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(live_server) + r"/activate/[\w-]+", text).group(0)


def test_invited_parent_activates_and_logs_in_again(
        app, live_server, smtp_server, new_page, sem):
    app.config["BASE_URL"] = live_server
    pupil_id, group_id = sem

    teacher = new_page()
    log_in(teacher, TEACHER, then=f"/pupils/{pupil_id}/guardians")
    wait_for_htmx(teacher)
    assert "Sem Jansen" in teacher.locator("main h1").inner_text()
    assert_no_axe_violations(teacher)
    teacher.evaluate("() => { window.__sameDocument = true; }")
    with teacher.expect_response(lambda r: r.request.method == "POST") as posted:
        _invite(teacher, NEW)
    assert posted.value.request.headers.get("hx-request") == "true"
    guardians = teacher.locator("#invitations-guardians")
    guardians.locator("li", has_text=NEW).wait_for()
    assert "uitgenodigd, nog niet geactiveerd" in guardians.inner_text()
    teacher.locator("#flash-messages", has_text=f"uitnodiging gestuurd naar {NEW}").wait_for()
    assert teacher.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    assert teacher.locator("form#invitations-invite input[name=email]").input_value() == ""
    assert _real_errors(teacher) == []

    run_worker(app)
    link = _link_in_mail(smtp_server, live_server, NEW)

    parent = new_page()  # a fresh browser context: nobody is logged in there
    parent.goto(link)
    assert_no_axe_violations(parent)
    form = parent.locator("form#onboarding-activate")
    form.locator("input[name=display_name]").fill("Nieuwe Ouder")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=password_repeat]").fill(PASSWORD)
    form.locator("input[name=language][value=nl]").check()
    form.locator("button[type=submit]").click()
    parent.wait_for_url(re.compile(rf"/groups/{group_id}$"))
    assert "Welkom, Nieuwe Ouder!" in parent.locator("#flash-messages").inner_text()
    assert "Sem Jansen" in parent.locator("#spaces-pupils").inner_text()

    parent.locator(LOGOUT_BUTTON).click()
    parent.wait_for_url(re.compile(r"/login$"))
    log_in(parent, NEW, PASSWORD)
    assert path_of(parent) == "/"
    assert "Nieuwe Ouder" in parent.locator("main .home-today").inner_text()
    parent.goto(link)  # the link worked once
    assert "Deze link werkt niet meer" in parent.locator("main h1").inner_text()
    assert _real_errors(parent) == []


def test_guardians_page_works_without_javascript(app, page_without_js, sem):
    pupil_id, _group_id = sem
    page = page_without_js
    log_in(page, TEACHER, then=f"/pupils/{pupil_id}/guardians")
    _invite(page, NEW)
    page.wait_for_url(re.compile(rf"/pupils/{pupil_id}/guardians$"))
    row = page.locator("#invitations-guardians li", has_text=NEW)
    assert "uitgenodigd, nog niet geactiveerd" in row.inner_text()

    row.locator("button", has_text="intrekken").click()
    page.locator("#flash-messages", has_text="is ingetrokken").wait_for()
    row = page.locator("#invitations-guardians li", has_text=NEW)
    assert "geen geldige uitnodiging meer" in row.inner_text()
    row.locator("button", has_text="Nieuwe uitnodiging sturen").click()
    page.locator("#flash-messages", has_text="nieuwe uitnodiging gestuurd").wait_for()

    _invite(page, "geen-adres")
    page.locator("#email-error").wait_for()
    assert "geldig e-mailadres" in page.locator("#email-error").inner_text()


@pytest.mark.parametrize("path", ["/password/forgot", "/activate/niet-meer-geldig",
                                  "/password/reset/niet-meer-geldig"])
def test_no_axe_violations_on_public_onboarding_pages(page, path):
    page.goto(path)
    wait_for_htmx(page)
    assert_no_axe_violations(page)


def test_no_axe_violations_on_a_form_with_errors(page, app, sem):
    page.goto("/password/forgot")
    page.locator("form#onboarding-forgot input[name=email]").fill("geen-adres")
    page.locator("form#onboarding-forgot button[type=submit]").click()
    page.locator("#email-error").wait_for()
    assert_no_axe_violations(page)
