"""The year calendar in Chromium: axe on month, agenda, editor and feed pages; month navigation."""

from datetime import date, time

import pytest

from tests.calendar.test_calendar import add_activity
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.web import ADMIN, OTHER_PARENT, PARENT


@pytest.fixture
def october(app):
    """A holiday range, a timed whole-school morning and a Groep 1/2A-only party."""
    add_activity(app, "Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25))
    add_activity(app, "Schoolfotograaf", date(2026, 10, 6), start=time(8, 30), end=time(12),
                 place="Speelzaal")
    add_activity(app, "Kleuterfeest", date(2026, 10, 7), groups=["Groep 1/2A"],
                 start=time(9), end=time(11))


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 422 answers."""
    return [e for e in errors if "status of 422" not in e]


def test_phone_shows_the_agenda_list_without_axe_violations(october, new_page):
    page = new_page(viewport=PHONE)
    log_in(page, PARENT, then="/agenda/2026/10")
    expect(page.locator(".calendar-agenda")).to_be_visible()
    expect(page.locator(".calendar-grid")).to_be_hidden()
    expect(page.locator(".calendar-agenda")).to_contain_text("za 17 okt – zo 25 okt")
    assert_no_axe_violations(page)
    page.locator(".calendar-agenda a", has_text="Kleuterfeest").click()
    page.wait_for_url("**/agenda/activities/*")
    expect(page.locator("h1")).to_have_text("Kleuterfeest")
    assert_no_axe_violations(page)
    assert page.errors == []


def test_wide_screen_shows_the_month_grid_without_axe_violations(october, new_page):
    page = new_page(viewport=DESKTOP)
    log_in(page, PARENT, then="/agenda/2026/10")
    expect(page.locator(".calendar-grid")).to_be_visible()
    expect(page.locator(".calendar-agenda")).to_be_hidden()
    expect(page.locator(".calendar-grid a", has_text="Herfstvakantie")).to_have_count(9)
    assert_no_axe_violations(page)
    page.goto("/agenda/year/2026")
    expect(page.locator("h1")).to_have_text("Jaarkalender 2026-2027")
    assert_no_axe_violations(page)
    assert page.errors == []


def test_month_navigation_swaps_only_the_month_with_htmx(october, page):
    log_in(page, OTHER_PARENT, then="/agenda/2026/10")
    wait_for_htmx(page)
    page.evaluate("document.querySelector('h1').dataset.marker = 'kept'")
    page.locator("#calendar-month a[rel=next]").click()
    expect(page.locator("#calendar-month-title")).to_have_text("november 2026")
    assert path_of(page) == "/agenda/2026/11"
    # Only the month was swapped: the rest of the page is the same element.
    assert page.evaluate("document.querySelector('h1').dataset.marker") == "kept"
    page.locator("#calendar-month a[rel=prev]").click()
    expect(page.locator("#calendar-month-title")).to_have_text("oktober 2026")
    expect(page.locator("#calendar-month")).not_to_contain_text("Kleuterfeest")
    assert page.errors == []


def test_month_navigation_works_without_javascript(october, page_without_js):
    page = page_without_js
    log_in(page, PARENT, then="/agenda/2026/9")
    page.locator("#calendar-month a[rel=next]").click()
    page.wait_for_url("**/agenda/2026/10")
    expect(page.locator("#calendar-month-title")).to_have_text("oktober 2026")
    expect(page.locator(".calendar-grid")).to_contain_text("Kleuterfeest")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_editor_has_no_axe_violations(october, new_page, viewport):
    page = new_page(viewport=viewport)
    log_in(page, ADMIN, then="/agenda/activities/new")
    assert_no_axe_violations(page)
    page.locator("#calendar-editor button[type=submit]").click()  # everything empty
    page.locator("#calendar-editor .field__error").first.wait_for()
    assert_no_axe_violations(page)
    page.locator("#title").fill("Ouderavond")
    page.locator("#starts_on").fill("2026-11-12")
    page.locator("#starts_at").fill("19:30")
    page.locator("#ends_at").fill("21:00")
    page.locator("#calendar-editor button[type=submit]").click()
    page.wait_for_url("**/agenda/activities/*")
    expect(page.locator(".flash--success")).to_contain_text("Ouderavond")
    page.locator("a", has_text="Bewerken of verwijderen").click()
    page.wait_for_url("**/edit")
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def test_feed_page_makes_a_link_without_axe_violations(october, page):
    log_in(page, PARENT, then="/agenda/feed")
    assert_no_axe_violations(page)
    page.locator("button", has_text="Mijn link maken").click()
    link = page.locator("#calendar-feed-url")
    link.wait_for()
    assert link.input_value().endswith(".ics")
    assert page.locator("a", has_text="Toevoegen aan mijn agenda").get_attribute(
        "href").startswith("webcal://")
    assert_no_axe_violations(page)
    response = page.request.get(link.input_value().replace("http://127.0.0.1:5000", ""))
    assert response.status == 200 and "BEGIN:VCALENDAR" in response.text()
    assert page.errors == []
