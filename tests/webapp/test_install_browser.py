"""In Chromium: a valid manifest, a service worker that controls the page, offline behaviour."""

import re

import pytest

from tests.support.browser import PHONE, WORKER_READY, log_in
from tests.support.web import PARENT

pytestmark = pytest.mark.service_worker  # the worker runs here (tests/support/browser.py)

CONTROLLED = "() => navigator.serviceWorker.controller !== null"
INSTALLED = """async () => {
  const registration = await """ + WORKER_READY + """;
  return registration.active && registration.active.scriptURL;
}"""


def _offline_text(page, url):
    """What the page shows for `url` with the network gone ("" when the browser shows its own
    error page because nothing answered)."""
    try:
        page.goto(url)
    except Exception as error:  # net::ERR_INTERNET_DISCONNECTED: no worker, nothing stored
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
        return ""
    return page.locator("body").inner_text()


def test_chromium_finds_a_valid_manifest_with_both_icon_sizes(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/login")
    session = page.context.new_cdp_session(page)
    answer = session.send("Page.getAppManifest")
    assert answer["url"].endswith("/manifest.webmanifest")
    assert answer["errors"] == [], answer["errors"]
    page.evaluate(INSTALLED)
    page.reload()
    page.wait_for_function(CONTROLLED)
    problems = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    print(problems)
    # A throwaway browser profile is "incognito" to Chromium; nothing else may be wrong.
    assert [p["errorId"] for p in problems if p["errorId"] != "in-incognito"] == []
    manifest = page.evaluate("async url => (await fetch(url)).json()", answer["url"])
    assert manifest["name"] == "OBS De Regenboog" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        loaded = page.evaluate("""async src => {
            const img = new Image(); img.src = src; await img.decode();
            return [img.naturalWidth, img.naturalHeight]; }""", icon["src"])
        assert f"{loaded[0]}x{loaded[1]}" == icon["sizes"]


def test_after_a_reload_the_worker_controls_the_page_and_offline_shows_the_offline_page(
        new_page):
    page = new_page(viewport=PHONE)
    log_in(page, PARENT)
    assert page.evaluate(INSTALLED).endswith("/sw.js")
    page.reload()
    page.wait_for_function(CONTROLLED)
    scope = page.evaluate(f"async () => (await {WORKER_READY}).scope")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", scope)
    page.context.set_offline(True)
    text = _offline_text(page, "/feed")
    assert "Geen verbinding" in text and "Nieuws" not in text
    # The look came from the precached stylesheet: the page is styled, not bare HTML.
    header = "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert page.evaluate(header) == "rgb(31, 95, 139)"
    page.context.set_offline(False)
    assert page.errors == [] or all("ERR_INTERNET_DISCONNECTED" in e for e in page.errors)


def test_after_logout_an_offline_visit_to_the_feed_shows_nothing_of_it(new_page, ctx, teacher):
    from schoolportal.core.models import Group
    from tests.feed.test_post_photos import post_with_photos

    group_id = ctx(lambda: Group.get(Group.name == "Groep 1/2A").id)
    post_with_photos(teacher, ctx, group_id, count=1)  # a post with a photo in the feed
    page = new_page(viewport=PHONE)
    log_in(page, PARENT)
    page.evaluate(INSTALLED)
    page.goto("/feed")
    page.wait_for_function(CONTROLLED)
    assert "Herfstwandeling" in page.locator("main").inner_text()
    page.locator(".post-photos img").first.wait_for()

    page.goto("/menu")
    page.locator("main").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/login")
    assert page.evaluate("async () => (await caches.keys()).length") in (0, 1)
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        }
        return urls; }""")
    assert not [url for url in cached if "/feed" in url or "/albums/photos/" in url]

    page.context.set_offline(True)
    text = _offline_text(page, "/feed")
    assert "Herfstwandeling" not in text and "Eva Jansen" not in text
    page.context.set_offline(False)


@pytest.mark.parametrize("path", ["/offline"])
def test_the_offline_page_passes_axe(new_page, path):
    from tests.support.browser import assert_no_axe_violations

    page = new_page(viewport=PHONE)
    page.goto(path)
    assert_no_axe_violations(page)
