"""Coaching footage in Chromium: upload with a destruction date, destroy early; axe on each page."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.coaching.test_coaching import _add, _jpeg_with_gps, _today
from tests.support.browser import assert_no_axe_violations, log_in, path_of, wait_for_htmx
from tests.support.web import TEACHER


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 422 answers."""
    return [e for e in errors if "status of 422" not in e]


def test_teacher_uploads_views_and_destroys_footage_without_axe_violations(app, page, tmp_path):
    _add(app, TEACHER, 14, data=_jpeg_with_gps(), group="Groep 1/2A", title="Kringgesprek")
    log_in(page, TEACHER, then="/coaching")
    expect(page.locator("#coaching-list")).to_contain_text("Kringgesprek")
    assert_no_axe_violations(page)

    page.goto("/coaching/new")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    form = page.locator("form#coaching-upload")
    form.locator("input[name=title]").fill("Instructie rekenen")
    form.locator("textarea[name=purpose]").fill("Coachingstraject")
    photo = tmp_path / "les.jpg"
    photo.write_bytes(_jpeg_with_gps())
    form.locator("input[name=file]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()  # no date: refused next to the field
    expect(page.locator("form#coaching-upload .field__error")).to_contain_text("Kies de dag")
    assert_no_axe_violations(page)

    form = page.locator("form#coaching-upload")
    form.locator("input[name=title]").fill("Instructie rekenen")
    form.locator("textarea[name=purpose]").fill("Coachingstraject")
    form.locator("input[name=destroy_on]").fill(_in_two_weeks(app))
    form.locator("input[name=file]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/coaching/" in url and url.rstrip("/").split("/")[-1].isdigit())
    expect(page.locator("img.coaching-media")).to_be_visible()
    assert page.locator("img.coaching-media").evaluate("img => img.naturalWidth") > 0
    assert_no_axe_violations(page)

    destroy = page.locator("form#coaching-destroy")
    destroy.locator("input[name=confirm]").check()
    destroy.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("/coaching/destroyed"))
    expect(page.locator("#coaching-records")).to_contain_text("Instructie rekenen")
    assert path_of(page) == "/coaching/destroyed"
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def _in_two_weeks(app):
    """The date two weeks from now, as the date picker takes it."""
    return (_today(app) + timedelta(days=14)).isoformat()


def test_destroying_works_without_javascript(app, page_without_js):
    item_id, _name = _add(app, TEACHER, 30, title="Zonder script")
    page = page_without_js
    log_in(page, TEACHER, then=f"/coaching/{item_id}")
    page.locator("form#coaching-destroy button[type=submit]").click()
    expect(page.locator("form#coaching-destroy .field__error")).to_be_visible()
    page.locator("form#coaching-destroy input[name=confirm]").check()
    page.locator("form#coaching-destroy button[type=submit]").click()
    expect(page.locator("#coaching-records")).to_contain_text("Zonder script")
