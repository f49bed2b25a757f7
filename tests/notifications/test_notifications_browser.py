"""The Meldingen screen and the service worker in Chromium: without JavaScript, axe, and a
push delivered with the DevTools protocol that shows a notification whose tap opens its page."""

import json
import time

import pytest
from playwright.sync_api import expect
from py_vapid import Vapid02

from tests.support.browser import (
    DESKTOP,
    PHONE,
    WORKER_READY,
    assert_no_axe_violations,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.web import PARENT, TEACHER

pytestmark = pytest.mark.service_worker  # the worker runs here (tests/support/browser.py)


@pytest.fixture
def with_vapid_key(app):
    """The app has a push key pair, so the page offers the button."""
    key = Vapid02()
    key.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = key.private_pem().decode()


def test_choices_are_saved_without_javascript(new_page, with_vapid_key):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, PARENT, then="/account/notifications")
    assert not page.locator("#notifications-turn-on").is_visible()  # needs JavaScript
    expect(page.locator("#kind_surveys-2")).not_to_be_checked()
    page.locator("#kind_surveys-2").check()  # surveys: daily summary
    page.locator("#kind_messages-1").check()  # messages: email
    page.locator("#quiet_from").fill("22:30")
    page.locator("#notifications-choices button[type=submit]").click()
    page.wait_for_load_state()
    assert path_of(page) == "/account/notifications"
    expect(page.locator(".flash--success")).to_contain_text("opgeslagen")
    expect(page.locator("#kind_surveys-2")).to_be_checked()
    expect(page.locator("#kind_messages-1")).to_be_checked()
    expect(page.locator("#quiet_from")).to_have_value("22:30")
    page.locator("#quiet_until").fill("22:30")  # the same time twice: refused, nothing saved
    page.locator("#notifications-choices button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#notifications-choices .field__error")).to_contain_text("verschillende")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("email", [PARENT, TEACHER], ids=["parent", "teacher"])
def test_the_screen_has_no_axe_violations(new_page, viewport, email, with_vapid_key):
    page = new_page(viewport=viewport)
    log_in(page, email, then="/account/notifications")
    wait_for_htmx(page)
    expect(page.locator("#notifications-turn-on")).to_be_visible()
    assert_no_axe_violations(page)
    page.locator("#quiet").check()  # on (staff have none by default), with one time missing
    page.locator("#quiet_from").fill("")
    page.locator("#notifications-choices button[type=submit]").click()  # htmx: 422 fragment
    page.locator("#notifications-choices .field__error").wait_for()
    assert_no_axe_violations(page)
    assert [e for e in page.errors if "status of 422" not in e] == []


def _registration_id(cdp, origin):
    """The id of the service worker registration for the origin's root scope."""
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.update(
        {r["scopeURL"]: r["registrationId"] for r in event["registrations"]
         if not r.get("isDeleted")}))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 30  # generous: CI machines are busy
    while origin + "/" not in found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets the events come in
        time.sleep(0.05)
    return found[origin + "/"]


def _notifications(page):
    """The notifications the service worker shows now: [{title, body, url}]."""
    return page.evaluate("""async () => {
        const registration = await """ + WORKER_READY + """;
        return (await registration.getNotifications()).map(
            n => ({title: n.title, body: n.body, url: n.data.url}));
    }""")


def test_a_push_shows_a_notification_and_its_tap_opens_the_page(new_page, live_server):
    page = new_page(viewport=PHONE)
    page.context.grant_permissions(["notifications"], origin=live_server)
    log_in(page, PARENT, then="/account/notifications")
    page.evaluate("""async () => {
        await navigator.serviceWorker.register('/sw.js', {scope: '/'});
        await """ + WORKER_READY + """;
    }""")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = page.context.new_cdp_session(page)
    registration = _registration_id(cdp, live_server)
    payload = {"title": "Nieuw in Groep 1/2A", "body": "Schoolreisje", "url": "/account",
               "tag": "n1"}
    push = {"origin": live_server, "registrationId": registration, "data": json.dumps(payload)}
    cdp.send("ServiceWorker.deliverPushMessage", push)
    deadline = time.monotonic() + 30  # generous: CI machines are busy
    again = time.monotonic() + 5
    while not _notifications(page) and time.monotonic() < deadline:
        if time.monotonic() > again:
            # On a busy machine a push delivered while the worker was starting was once
            # lost (CI). A real push service retries too; the same tag keeps it one.
            cdp.send("ServiceWorker.deliverPushMessage", push)
            again = time.monotonic() + 5
        time.sleep(0.1)
    assert _notifications(page) == [{"title": "Nieuw in Groep 1/2A", "body": "Schoolreisje",
                                     "url": live_server + "/account"}]
    # A tap: the worker's notificationclick handler (the same function) opens the page.
    [worker] = page.context.service_workers
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        notification.close();
        await self.schoolportalPush.open(notification);
    }""")
    page.wait_for_url(live_server + "/account")
    expect(page.locator("h1")).to_have_text("Mijn account")
    assert _notifications(page) == []
    assert page.errors == []
