"""Logging in, home pages, htmx and accessibility, in a real browser (Chromium).

The interface language will change (Dutch by default once translations exist), so the
tests find elements by id, name, href and role, and match only on data: names of
people and groups from the demo school.
"""

import re

import pytest

from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    assert_no_axe_violations,
    log_in,
    path_of,
    submit_login,
    wait_for_htmx,
)
from tests.support.web import ADMIN, OTHER_PARENT, OTHER_TEACHER, PARENT, TEACHER, TWO_GROUP_PARENT

# email -> (display name in the h1, group names on the home page, group names not on it)
ACCOUNTS = {
    ADMIN: ("Marieke Hoekstra (directie)", ["Groep 1/2A", "Groep 5", "Groep 8"], []),
    TEACHER: ("juf Sanne", ["Groep 1/2A"], ["Groep 5", "Groep 8"]),
    OTHER_TEACHER: ("meester Ahmed", ["Groep 5"], ["Groep 1/2A", "Groep 8"]),
    PARENT: ("Eva Jansen", ["Groep 1/2A"], ["Groep 5", "Groep 8"]),
    OTHER_PARENT: ("Mark Bakker", ["Groep 5"], ["Groep 1/2A", "Groep 8"]),
    TWO_GROUP_PARENT: ("Nadia El Mansouri", ["Groep 1/2A", "Groep 5"], ["Groep 8"]),
}
CHILDREN = {
    PARENT: ["Sem Jansen"],
    OTHER_PARENT: ["Lotte Bakker"],
    TWO_GROUP_PARENT: ["Yasmin El Mansouri", "Adam El Mansouri"],
}
LOGOUT_BUTTON = "header form[action='/logout'] button[type=submit]"


def _is_login_post(response):
    """The response to the login form's POST."""
    return response.request.method == "POST" and response.url.split("?")[0].endswith("/login")


def _assert_home_of(page, email):
    """The page is the home page of this account: its name, its groups, its children."""
    name, groups, other_groups = ACCOUNTS[email]
    assert path_of(page) == "/"
    assert page.locator("main h1").inner_text() == "Vandaag"
    assert name in page.locator("main .home-today").inner_text()
    main = page.locator("main").inner_text()
    for group in groups:
        assert group in main, f"{email} should see {group} on the home page"
    for group in other_groups:
        assert group not in main, f"{email} should not see {group} on the home page"
    for child in CHILDREN.get(email, []):
        assert child in main, f"{email} should see their child {child}"


@pytest.mark.parametrize("email", list(ACCOUNTS))
def test_each_demo_account_logs_in_and_sees_its_home(page, email):
    log_in(page, email, form=True)

    _assert_home_of(page, email)
    assert page.errors == []


@pytest.mark.parametrize("email", [PARENT, TEACHER])
def test_login_and_logout_work_without_javascript(page_without_js, email):
    page = page_without_js
    log_in(page, email, form=True)
    _assert_home_of(page, email)

    page.locator(LOGOUT_BUTTON).click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.locator("form#auth-login").is_visible()

    page.goto("/")
    assert path_of(page) == "/login", "after logging out, home must ask to log in again"


def test_logout_works_with_htmx(page):
    log_in(page, PARENT)
    wait_for_htmx(page)

    page.locator(LOGOUT_BUTTON).click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.locator("form#auth-login").is_visible()
    assert page.locator(LOGOUT_BUTTON).count() == 0

    page.goto("/")
    assert path_of(page) == "/login"
    assert page.errors == []


def test_htmx_loads_and_boosts_navigation_without_console_errors(page):
    page.goto("/login")
    wait_for_htmx(page)
    assert page.evaluate("() => typeof htmx !== 'undefined'")
    assert page.errors == [], "console errors or CSP violations on the login page"

    # The login form itself is boosted: htmx posts it and follows the redirect home.
    page.evaluate("() => { window.__sameDocument = true; }")
    submit_login(page, TEACHER)
    page.wait_for_url(re.compile(r"/$"))
    assert page.evaluate("() => window.__sameDocument === true"), "login was not boosted"
    assert "juf Sanne" in page.locator("main .home-today").inner_text()
    wait_for_htmx(page)
    assert page.errors == [], "console errors or CSP violations on the home page"

    # Following a link swaps the page in place (no full load) and updates the URL.
    with page.expect_request(lambda r: r.url.endswith("/school")) as request_info:
        page.locator("nav.site-nav a[href='/school']").click()
    assert request_info.value.headers.get("hx-boosted") == "true"
    page.wait_for_url(re.compile(r"/school$"))
    page.locator("nav.site-nav a[href='/school'][aria-current=page]").wait_for()
    assert page.evaluate("() => window.__sameDocument === true"), "navigation was not boosted"
    assert page.errors == []

    # Back goes home again.
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))
    page.locator("main .home-today", has_text="juf Sanne").wait_for()
    assert page.errors == []



@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_wrong_password_shows_an_error_and_stays_on_login(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    page.goto("/login")
    if javascript:
        wait_for_htmx(page)
        page.evaluate("() => { window.__sameDocument = true; }")
    with page.expect_response(_is_login_post) as response_info:
        submit_login(page, PARENT, "not-the-password")

    response = response_info.value
    assert response.status == 422
    if javascript:
        assert response.request.headers.get("hx-boosted") == "true"
    alert = page.locator("form#auth-login [role=alert]")
    alert.wait_for()
    assert alert.inner_text().strip()
    assert path_of(page) == "/login"
    form = page.locator("form#auth-login")
    # The address typed stays in the form; the password does not.
    assert form.locator("input[name=email]").input_value() == PARENT
    assert form.locator("input[name=password]").input_value() == ""
    assert page.locator(LOGOUT_BUTTON).count() == 0
    if javascript:
        assert page.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    # Chromium logs every 4xx response as "Failed to load resource"; nothing else may show.
    unexpected = [e for e in page.errors if "status of 422" not in e]
    assert unexpected == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("who", ["login", ADMIN, TEACHER, PARENT])
def test_no_axe_violations(page, who):
    if who == "login":
        page.goto("/login")
    else:
        log_in(page, who)
        assert path_of(page) == "/"
    wait_for_htmx(page)

    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_a_failed_login(page):
    log_in(page, PARENT, password="not-the-password", expect_success=False)

    assert_no_axe_violations(page)


def _open_group_page(page, group_name):
    """Follow the group's link in the nav; returns the group page's path."""
    link = page.locator("nav.site-nav a", has_text=group_name)
    href = link.get_attribute("href")
    assert re.fullmatch(r"/groups/\d+", href), href
    link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    page.locator("#spaces-pupils").wait_for()
    return href


def _pupil_names(page):
    return page.locator("#spaces-pupils li").all_inner_texts()


def test_pupil_filter_swaps_only_the_list_with_htmx(page):
    log_in(page, TEACHER)
    wait_for_htmx(page)
    href = _open_group_page(page, "Groep 1/2A")
    everyone = _pupil_names(page)
    assert len(everyone) == 20
    # Mark what is on the page now: after the filter, only the list may be new.
    page.evaluate(
        """() => {
            window.__sameDocument = true;
            document.querySelector('main h1').dataset.marker = 'kept';
            document.getElementById('spaces-pupils').dataset.marker = 'old';
        }"""
    )

    search = page.locator("#pupil-filter")
    with page.expect_response(lambda r: "q=Jansen" in r.url, timeout=TIMEOUT_MS) as info:
        search.press_sequentially("Jansen", delay=20)
    response = info.value
    assert response.request.headers.get("hx-request") == "true"
    assert response.request.headers.get("hx-boosted") is None
    assert "<html" not in response.text().lower(), "the server should send only the fragment"

    page.wait_for_url(re.compile(re.escape(href) + r"\?q=Jansen$"))
    page.wait_for_function(
        "() => document.getElementById('spaces-pupils').dataset.marker !== 'old'"
    )
    found = _pupil_names(page)
    assert 0 < len(found) < len(everyone)
    assert "Sem Jansen" in found
    assert all("jansen" in name.lower() for name in found), found
    assert page.evaluate("() => window.__sameDocument === true")
    assert page.locator("main h1").get_attribute("data-marker") == "kept"
    assert search.evaluate("el => el === document.activeElement"), "typing lost focus"
    assert page.errors == []


def test_pupil_filter_works_without_javascript(page_without_js):
    page = page_without_js
    log_in(page, TEACHER)
    href = _open_group_page(page, "Groep 1/2A")
    everyone = _pupil_names(page)
    assert len(everyone) == 20

    page.locator("#pupil-filter").fill("Jansen")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(href) + r"\?q=Jansen$"))

    found = _pupil_names(page)
    assert 0 < len(found) < len(everyone)
    assert "Sem Jansen" in found
    assert page.locator("#pupil-filter").input_value() == "Jansen"
