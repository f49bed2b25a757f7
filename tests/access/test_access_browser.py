"""Accessibility (axe) of asking for access and of the admins' queue, in Chromium."""

from datetime import date

import pytest

from schoolportal.access import service
from schoolportal.core.extensions import db
from schoolportal.core.models import Pupil, User
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.web import ADMIN


def _fill_request_form(page, email="piet.jansen@example.org"):
    """Fill in the public form the way a parent would, by label-independent names."""
    form = page.locator("form#access-request-form")
    form.locator("input[name=child_first_name]").fill("Sem")
    form.locator("input[name=child_last_name]").fill("Jansen")
    form.locator("input[name=child_birth_date]").fill("09-04-2021")
    form.locator("input[name=requester_name]").fill("Piet Jansen")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=relation][value=parent]").check()
    form.locator("input[name=parental_authority]").check()
    return form


def _seed_queue(app):
    """Three requests: one matching Sem Jansen, one matching nobody, one rejected."""
    with app.app_context(), db.connection_context():
        def submit(first, last, email):
            return service.submit(
                "192.0.2.1", "nl", child_first_name=first, child_last_name=last,
                child_birth_date=date(2021, 4, 9), child_group="1/2A",
                requester_name="Piet Jansen", email=email, relation="parent",
                note="Wij zijn net verhuisd.")

        submit("Sem", "Jansen", "piet.jansen@example.org")
        submit("Niemand", "Onbekend", "iemand@example.org")
        service.reject(submit("Sem", "Jansen", "derde@example.org"),
                               "Onbekend bij de school.", User.by_email(ADMIN))
        assert Pupil.select().count() > 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_request_form(page):
    page.goto("/toegang-aanvragen")
    wait_for_htmx(page)

    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_form_with_errors(page):
    page.goto("/toegang-aanvragen")
    wait_for_htmx(page)
    _fill_request_form(page, email="piet@")
    page.locator("form#access-request-form button[type=submit]").click()
    page.locator("form#access-request-form [aria-invalid=true]").first.wait_for()

    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_confirmation(page):
    page.goto("/toegang-aanvragen")
    wait_for_htmx(page)
    _fill_request_form(page).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "ontvangen=1" in url)
    assert path_of(page) == "/toegang-aanvragen"

    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_queue(app, page):
    _seed_queue(app)
    log_in(page, ADMIN, then="/admin/toegangsaanvragen")
    wait_for_htmx(page)
    page.locator("#access-pending-count").wait_for()

    assert_no_axe_violations(page)
