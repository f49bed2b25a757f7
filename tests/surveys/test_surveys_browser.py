"""Surveys and calls in Chromium: axe on the editor, the answer form, the results and the call
pages; answering on a phone; signing up with one tap (htmx) and without JavaScript."""

from datetime import timedelta

from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import User
from schoolportal.surveys.models import HelpCall
from tests.support.browser import PHONE, assert_no_axe_violations, expect, log_in, wait_for_htmx
from tests.support.web import PARENT, TEACHER, TWO_GROUP_PARENT
from tests.surveys.test_survey_answers import good_form, make_survey
from tests.surveys.test_surveys import _answer


def _in_db(app, work):
    """Run work() with a connection and return its result."""
    with app.app_context(), db.connection_context():
        return work()


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 4xx answers."""
    return [e for e in errors if "status of 422" not in e and "status of 409" not in e]


def test_survey_editor_has_no_axe_violations(app, page):
    survey = _in_db(app, lambda: make_survey(published=False))
    log_in(page, TEACHER, then=f"/surveys/{survey.id}/edit")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    form = page.locator("#surveys-add-question")
    form.locator("select[name=kind]").select_option("single")
    form.locator("input[name=text]").fill("Welke kleur t-shirt?")
    form.locator("textarea[name=options]").fill("Rood\nBlauw")
    form.locator("button[type=submit]").click()
    expect(page.locator("#surveys-questions")).to_contain_text("Welke kleur t-shirt?")
    expect(page.locator("#flash-messages")).to_contain_text("De vraag is toegevoegd.")
    form.locator("button[type=submit]").click()  # empty: messages next to the fields
    page.locator("#surveys-add-question .field__error").first.wait_for()
    assert_no_axe_violations(page)
    page.goto("/surveys/new")
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def test_answering_on_a_phone(app, new_page):
    survey = _in_db(app, lambda: make_survey())
    page = new_page(viewport=PHONE)
    log_in(page, PARENT, then=f"/surveys/{survey.id}")
    assert_no_axe_violations(page)
    page.locator("#surveys-answer button[type=submit]").click()  # nothing filled in
    page.locator("#surveys-answer .field__error").first.wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Fiets").check()
    page.get_by_label("Dinsdag").check()
    page.get_by_label("Met hoeveel personen?").fill("2")
    page.locator("#surveys-answer button[type=submit]").click()
    expect(page.locator(".flash--success")).to_contain_text("je antwoord is opgeslagen")
    expect(page.get_by_label("Fiets")).to_be_checked()
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def test_results_have_no_axe_violations(app, page, login_as):
    survey = _in_db(app, lambda: make_survey())
    for email, yes in ((PARENT, True), (TWO_GROUP_PARENT, False)):
        client = login_as(email)
        assert _answer(client, survey, good_form(survey, yes=yes)).status_code == 302
    log_in(page, TEACHER, then=f"/surveys/{survey.id}/results")
    expect(page.locator(".surveys-bar__fill").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Stuur een bericht aan iedereen die „Ja” antwoordde (1)").click()
    expect(page.locator("h1")).to_have_text("Stuur een bericht")
    assert_no_axe_violations(page)
    page.goto("/surveys")
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def _call(app, places=2):
    """A call for help for Groep 1/2A in a week."""
    def create():
        from schoolportal.core.models import Group
        return HelpCall.create(title="Begeleiders voor de excursie", places=places,
                               group=Group.get(Group.name == "Groep 1/2A"),
                               event_on=school_today() + timedelta(days=7),
                               created_by=User.by_email(TEACHER)).id
    return _in_db(app, create)


def test_signing_up_with_one_tap(app, page):
    call_id = _call(app, places=1)
    log_in(page, PARENT, then=f"/surveys/calls/{call_id}")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Meld mij aan").click()
    expect(page.locator("#surveys-call")).to_contain_text("Eva Jansen")
    expect(page.locator("#surveys-call")).to_contain_text("Vol")
    expect(page.locator("#flash-messages")).to_contain_text("Je hebt je aangemeld")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("button", name="Meld mij aan")).to_be_visible()
    assert _unexpected(page.errors) == []


def test_signing_up_without_javascript(app, page_without_js):
    call_id = _call(app)
    page = page_without_js
    log_in(page, PARENT, then=f"/surveys/calls/{call_id}")
    page.get_by_role("button", name="Meld mij aan").click()
    expect(page.locator(".flash--success")).to_contain_text("Je hebt je aangemeld")
    expect(page.locator("#surveys-call")).to_contain_text("1 van 2 plekken bezet")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.locator(".flash--success")).to_contain_text("je plek is weer vrij")
