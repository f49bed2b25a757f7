"""Fixtures for browser tests: a live server per test, one Chromium per run, axe checks.

Chromium is Debian's /usr/bin/chromium (Playwright's own browser download is not used;
CHROMIUM=/path picks another). Without it or without Playwright these tests are skipped,
unless REQUIRE_BROWSER=1 (as in CI): then they fail, and so does any module that skips
itself while being collected (a module-level `importorskip` would hide a missing browser).
Browser test modules import `expect` from here, never with `importorskip`.
"""

import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from schoolportal.admin.demo import DEMO_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips or fails every test that needs it
    expect = None

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium's headless mode is the whole browser without a screen: every browser context
# opens a window, and every window rendered its address bar's suggestion popups (two WebUI
# pages, Lit modules and all) in a renderer process of its own, in advance: a quarter of the
# browser tests' CPU (tests/feed, tests/slips and a walk over every page: 61 -> 47 CPU-s).
# Chromium keeps only the last --disable-features it is given, and Playwright passes its
# own list first, so this list repeats Playwright's (1.65, chromiumSwitches.ts) and adds
# ours; tests/core/test_test_setup_browser.py checks that none of Playwright's is dropped.
WITHOUT_FEATURES = [
    # Playwright's
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
    # ours: the address bar's popups, which no test opens
    "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-features=" + ",".join(WITHOUT_FEATURES),
]
TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _browser_required():
    """True when browser tests must run (REQUIRE_BROWSER=1, as in CI)."""
    return os.environ.get("REQUIRE_BROWSER") == "1"


def _unavailable(reason):
    """Skip the browser tests, or fail them when a browser is required."""
    if _browser_required():
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """With REQUIRE_BROWSER=1, a module that skips itself at import fails the run instead."""
    outcome = yield
    report = outcome.get_result()
    if _browser_required() and report.skipped:
        report.outcome = "failed"
        report.longrepr = (f"{collector.nodeid} skipped itself while being collected "
                           f"({report.longrepr}); REQUIRE_BROWSER=1 makes that a failure")


@pytest.fixture
def live_server(app):
    """Serve this test's app on 127.0.0.1 at a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop to look up from select(): poll often, so ending the
    # server costs a few milliseconds instead of up to half a second per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev extra brings it
        _unavailable(f"Playwright is not installed: {exc}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium not found at {CHROMIUM} or it failed to start: {exc}")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def viewport():
    """The window size of `page`; parametrize "viewport" to change it (PHONE, DESKTOP)."""
    return DESKTOP


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a page in a fresh browser context: new_page(java_script_enabled=..., viewport=...).

    Every page collects console errors and uncaught exceptions in `page.errors` (a list
    of strings); CSP violations show up there as console errors. Contexts are closed
    before the live server stops (this fixture depends on it).

    The service worker (/sw.js) runs only in the modules marked `service_worker`: the tests
    of the worker itself (install, offline, push) and the walk over every page, which sees
    the portal as a phone does. Elsewhere contexts block it: it only keeps static files
    and the offline page, which those tests do not use, and every new context would
    otherwise install it and fill its cache first. `service_workers=` overrides.
    """
    contexts = []
    default_workers = "allow" if request.node.get_closest_marker("service_worker") else "block"

    def make(java_script_enabled=True, viewport=DESKTOP, service_workers=default_workers,
             **options):
        context = browser.new_context(
            base_url=live_server,
            viewport=viewport,
            java_script_enabled=java_script_enabled,
            locale="nl-NL",
            service_workers=service_workers,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on(
            "console",
            lambda message: page.errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error"
            else None,
        )
        page.on("pageerror", lambda error: page.errors.append(f"pageerror: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, viewport):
    """A page with JavaScript on, at the size of the `viewport` fixture."""
    return new_page(viewport=viewport)


@pytest.fixture
def page_without_js(new_page, viewport):
    """A page with JavaScript off: the app must work as plain HTML forms and links."""
    return new_page(java_script_enabled=False, viewport=viewport)


# `navigator.serviceWorker.ready` as a JavaScript expression that gives up after 10 s: a page
# whose context blocks the worker (a module not marked `service_worker`) would otherwise wait
# for ever, and page.evaluate has no timeout of its own.
WORKER_READY = """Promise.race([navigator.serviceWorker.ready, new Promise((_, fail) => setTimeout(
    () => fail(new Error('no service worker became ready within 10 s: does the module have '
                         + 'pytestmark = pytest.mark.service_worker?')), 10000))])"""


def path_of(page):
    """The path (without query) of the page's current URL."""
    return urlparse(page.url).path


def submit_login(page, email, password=DEMO_PASSWORD):
    """Fill in and submit the login form on the current page (inputs by name, not label)."""
    form = page.locator("form#auth-login")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def log_in(page, email, password=DEMO_PASSWORD, expect_success=True, form=False, then=None):
    """Log in as `email` and open the page the login leads to (or `then`: a test that goes
    to another page at once spares the browser loading the home page first).

    Without `form`, the browser context logs in over HTTP (page.request shares the
    context's cookies): the same GET /login for the CSRF token and the same POST as the form
    sends, then the browser opens where the login redirects to. Most browser tests only need
    to be logged in, and this spares each of them rendering the login page. Tests of the
    login itself pass form=True: the real form at /login, filled in and submitted; with
    expect_success they wait until the browser has left /login (htmx-boosted or a plain form
    post), otherwise for the error alert in the re-rendered form.
    """
    if form or not expect_success:
        page.goto("/login")
        submit_login(page, email, password)
        if expect_success:
            page.wait_for_url(lambda url: urlparse(url).path != "/login")
        else:
            page.locator("form#auth-login [role=alert]").wait_for()
        page.wait_for_load_state()
        return
    login_page = page.request.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page.text()).group(1)
    response = page.request.post("/login", form={
        "email": email, "password": password, "csrf_token": token}, max_redirects=0)
    location = response.headers.get("location", "")
    assert response.status in (302, 303) and urlparse(location).path != "/login", (
        f"logging in as {email} failed: {response.status} {location}")
    page.goto(then or location)


def wait_for_htmx(page):
    """Wait until htmx has loaded and processed the page (only with JavaScript on)."""
    page.wait_for_function("() => typeof window.htmx !== 'undefined'", timeout=TIMEOUT_MS)


def wait_for_swap(page):
    """Wait until no htmx request, swap or settle is under way (a boosted link that changed
    the URL may still be swapping the page in: a click then can fall between two bodies)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        timeout=TIMEOUT_MS)


# null when this document has no axe yet (one round trip either way)
AXE_RUN = """(rules) => typeof window.axe !== 'object' ? null : axe.run(rules
    ? {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']}
    : {resultTypes: ['violations']}).then(results => results.violations)"""
# The rules axe runs by default that can find something serious or critical: a rule reports
# the impact it declares (a rule that declares none is kept).
SERIOUS_RULES = """() => {
  const rank = {minor: 0, moderate: 1, serious: 2, critical: 3};
  return axe._audit.rules
    .filter(rule => rule.enabled !== false && (!rule.impact || rank[rule.impact] >= 2))
    .map(rule => rule.id);
}"""


def axe_violations(page, serious_only=False):
    """axe-core's violations on the page as it is now: every rule that axe runs by default
    (with serious_only, those of them that can find something serious or critical), and
    only the violations travel back (not the passes and the inapplicable rules, which cost
    more to send and parse than axe takes to run).

    axe is injected with page.evaluate, which goes through the DevTools protocol and is
    not subject to the page's CSP (script-src 'self'), so the contexts keep the real CSP
    and no bypass_csp is needed. The first time, it also becomes an init script of the
    page's browser context: every later document of that context starts with axe, and
    Chromium compiles the same script once instead of receiving and compiling it per page.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    rules = getattr(page.context, "serious_axe_rules", None) if serious_only else None
    found = None if serious_only and rules is None else page.evaluate(AXE_RUN, rules)
    if found is None:  # axe is not on this document yet
        page.evaluate(AXE_SCRIPT)
        if not getattr(page.context, "axe_on_every_document", False):
            page.context.add_init_script(AXE_SCRIPT)
            page.context.axe_on_every_document = True
        if serious_only:
            rules = page.context.serious_axe_rules = page.evaluate(SERIOUS_RULES)
        found = page.evaluate(AXE_RUN, rules)
    return found


def assert_no_axe_violations(page):
    """Run axe-core on the page as it is now; fail listing every violation."""
    violations = axe_violations(page)
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            )
            for node in violation["nodes"]:
                target = ", ".join(str(t) for t in node["target"])
                lines.append(f"    {target}: {node.get('html', '')[:200]}")
        pytest.fail("\n".join(lines), pytrace=False)
