"""Every page each demo role reaches, at 390 px in Chromium: no sideways scrolling, the content
starts near the top, the tab bar is there, and axe finds nothing serious or critical. With
JavaScript off, every one of those pages still opens with its tab bar."""

from urllib.parse import urlsplit

import pytest

from tests.support.browser import PHONE, axe_violations, log_in
from tests.support.crawl import walk
from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT

pytestmark = pytest.mark.service_worker  # the worker runs here (tests/support/browser.py)

MAIN_TOP = 130  # px: the content starts within this distance of the top of the screen
PAGE_LIMIT = 120
MEASURE = """() => {
  const main = document.querySelector('main');
  const tabs = document.getElementById('webapp-tabs');
  const box = tabs && tabs.getBoundingClientRect();
  return {
    width: document.documentElement.scrollWidth,
    mainTop: main ? main.getBoundingClientRect().top + window.scrollY : 9999,
    tabs: !!tabs && getComputedStyle(tabs).position === 'fixed' && box.height > 0
          && Math.abs(box.bottom - window.innerHeight) < 2,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  };
}"""


def _serious_axe_violations(page):
    """axe's serious and critical findings on the page as it is now (only the rules that
    can find those run)."""
    found = axe_violations(page, serious_only=True)
    return [f"{v['id']} ({v['impact']}): " + "; ".join(
        ", ".join(str(t) for t in node["target"]) for node in v["nodes"][:3])
        for v in found if v["impact"] in ("serious", "critical")]


def _walk(app, page, check):
    """Open one page per route reachable by links (tests/support/crawl.py) in the browser."""
    def open_page(url, _endpoint):
        response = page.goto(url)
        if response is None or response.status != 200 \
                or "text/html" not in response.headers.get("content-type", ""):
            return None
        return check(urlsplit(url).path)

    return walk(app, open_page, PAGE_LIMIT)


@pytest.mark.parametrize("email", [PARENT, TWO_GROUP_PARENT, TEACHER, ADMIN])
def test_every_page_fits_a_phone_has_the_tab_bar_and_passes_axe(demo_school, new_page, email):
    page = new_page(viewport=PHONE)
    log_in(page, email)
    problems = []

    def check(path):
        measured = page.evaluate(MEASURE)
        if measured["width"] > PHONE["width"]:
            problems.append(f"{path}: scrolls sideways ({measured['width']} px)")
        if measured["mainTop"] > MAIN_TOP:
            problems.append(f"{path}: <main> starts at {measured['mainTop']:.0f} px")
        if not measured["tabs"]:
            problems.append(f"{path}: no tab bar at the bottom")
        problems.extend(f"{path}: {v}" for v in _serious_axe_violations(page))
        return measured["links"]

    visited = _walk(demo_school, page, check)
    print(f"{email}: {len(visited)} pages")
    assert len(visited) >= 12, visited
    assert problems == [], "\n".join(problems)
    assert [e for e in page.errors if "Content Security Policy" in e] == []


@pytest.mark.parametrize("email", [PARENT, TEACHER])
def test_every_page_opens_without_javascript(demo_school, new_page, email):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, email)
    missing = []

    def check(path):
        if page.locator("#webapp-tabs").count() != 1 or page.locator("main").count() != 1:
            missing.append(path)
        return page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")

    visited = _walk(demo_school, page, check)
    assert len(visited) >= 12 and missing == []
