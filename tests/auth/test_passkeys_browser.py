"""Passkeys and the second step in Chromium, with the DevTools protocol's virtual authenticator.

WebAuthn refuses IP addresses, so these pages are opened at http://localhost:<port> (the
live server listens on 127.0.0.1) with BASE_URL set to match, as `make demo` does.
"""

import json
import re
from datetime import timedelta
from urllib.parse import urlparse

import pyotp
import pytest

from schoolportal.auth.models import AuthenticatorApp, SecondFactorObligation
from schoolportal.core.extensions import db
from schoolportal.core.models import User, utcnow
from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    assert_no_axe_violations,
    log_in,
    path_of,
)
from tests.support.passkeys import virtual_authenticator
from tests.support.web import PARENT, TEACHER

LOGOUT = "main form[action='/logout'] button[type=submit]"
PASSKEY_BUTTON_READY = "() => document.querySelector('#auth-passkey button').disabled === false"
NO_AUTOFILL = """if (window.PublicKeyCredential) {
    PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
}"""


@pytest.fixture
def local_page(browser, live_server, app):
    """Open pages at http://localhost:<port>: local_page(java_script_enabled=..., viewport=...).

    Chromium's virtual authenticator answers an autofill (conditional) request by itself, as
    if the user picked the passkey from the list at once; a real browser waits for that
    pick. So pages here offer no autofill (the buttons are what is tested) unless
    `autofill=True`.
    """
    base = f"http://localhost:{urlparse(live_server).port}"
    app.config["BASE_URL"] = base
    contexts = []

    def make(java_script_enabled=True, viewport=DESKTOP, autofill=False):
        # No service worker, as in tests/support/browser.py's pages: these tests do not use
        # it, and a new context would install it and fill its cache first.
        context = browser.new_context(base_url=base, viewport=viewport, locale="nl-NL",
                                      java_script_enabled=java_script_enabled,
                                      service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        if not autofill:
            context.add_init_script(NO_AUTOFILL)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def _log_out(page):
    """Log out as on a phone: the header's button shows on wide screens, "Meer" has it too."""
    page.goto("/menu")
    page.locator(LOGOUT).click()
    page.wait_for_url(re.compile(r"/login$"))


def _add_passkey(page, name):
    """Add a passkey on /account through the button, as a user would."""
    page.goto("/account")
    box = page.locator("#account-passkey-add")
    box.locator("input[name=passkey_name]").fill(name)
    box.get_by_role("button", name="Passkey toevoegen").click()
    page.locator(".passkey-list strong", has_text=name).wait_for()


def _sign_in_with_passkey(page):
    """Press "Inloggen met een passkey" on the login page and wait to leave it."""
    page.goto("/login")
    page.get_by_role("button", name="Inloggen met een passkey").click()
    page.wait_for_url(lambda url: urlparse(url).path != "/login")


def _credentials(cdp, authenticator):
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]


def _grace_over(app, email):
    """Make the grace period of this account end yesterday."""
    with app.app_context(), db.connection_context():
        user = User.by_email(email)
        SecondFactorObligation.insert(
            user=user.id, applies_since=utcnow() - timedelta(days=15)).on_conflict(
            conflict_target=[SecondFactorObligation.user],
            update={SecondFactorObligation.applies_since: utcnow() - timedelta(days=15)}).execute()


def _next_code(app, totp, email):
    """A code the app shows that the portal has not accepted yet (the next time step)."""
    with app.app_context(), db.connection_context():
        step = AuthenticatorApp.get(AuthenticatorApp.user == User.by_email(email)).last_used_step
    return totp.at((step + 1) * totp.interval)


def test_parent_adds_a_passkey_signs_in_with_it_and_removes_it(local_page):
    page = local_page()
    virtual_authenticator(page)
    log_in(page, PARENT)
    _add_passkey(page, "Mijn telefoon")
    item = page.locator(".passkey-list__item", has_text="Mijn telefoon")
    assert "nog niet gebruikt" in item.inner_text()
    _log_out(page)

    _sign_in_with_passkey(page)
    assert path_of(page) == "/" and "Eva Jansen" in page.locator(".home-today").inner_text()

    page.goto("/account")
    assert "laatst gebruikt" in item.inner_text()
    item.get_by_role("button", name="Passkey Mijn telefoon verwijderen").click()
    page.get_by_text("Je hebt nog geen passkeys.").wait_for()
    _log_out(page)
    page.get_by_role("button", name="Inloggen met een passkey").click()
    page.locator("#auth-passkey-note", has_text="niet (meer) bekend").wait_for()
    assert path_of(page) == "/login" and page.errors == []


def test_the_login_page_offers_passkeys_in_the_email_field(app, local_page):
    page = local_page(autofill=True)
    virtual_authenticator(page)
    log_in(page, PARENT)
    _add_passkey(page, "Mijn telefoon")
    # The login page as served (read with the app's own client: the browser may sign in
    # with the passkey before a locator reads the field, and htmx follows the logout's
    # redirect inside one request, whose body is gone once the page has moved on).
    served = app.test_client().get("/login").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="email"[^>]*>', served).group(0)
    assert 'autocomplete="username webauthn"' in field, field
    page.goto("/menu")
    page.locator(LOGOUT).click()
    # The virtual authenticator picks the passkey from the autofill list at once.
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert "Eva Jansen" in page.locator(".home-today").inner_text()


def test_a_passkey_of_another_user_and_a_replayed_assertion_are_refused(app, local_page):
    page = local_page()
    cdp, authenticator = virtual_authenticator(page)
    log_in(page, PARENT)
    _add_passkey(page, "Telefoon Eva")
    _log_out(page)
    log_in(page, TEACHER)  # no second factor yet: the password is enough
    _add_passkey(page, "Telefoon Sanne")
    _log_out(page)
    held = {c["userName"]: c for c in _credentials(cdp, authenticator)}
    assert set(held) == {PARENT, TEACHER}
    sanne = held[TEACHER]

    # Juf Sanne's password, then Eva's passkey: the browser is made to offer any passkey.
    def any_passkey(route):
        options = route.fetch().json()
        options["allowCredentials"] = []
        route.fulfill(json=options)

    page.route("**/login/second-factor/passkey/options", any_passkey)
    cdp.send("WebAuthn.removeCredential", {"authenticatorId": authenticator,
                                           "credentialId": sanne["credentialId"]})
    log_in(page, TEACHER)
    assert path_of(page) == "/login/second-factor"
    page.get_by_role("button", name="Gebruik je passkey").click()
    page.locator("#auth-second-passkey-note", has_text="hoort bij een ander account").wait_for()
    assert path_of(page) == "/login/second-factor"
    page.goto("/")
    assert path_of(page) == "/login"

    # Eva signs in with her own passkey; the signed answer is kept and sent again.
    answers = []
    page.on("request", lambda r: answers.append(r.post_data)
            if r.method == "POST" and urlparse(r.url).path == "/login/passkey" else None)
    _sign_in_with_passkey(page)
    assert "Eva Jansen" in page.locator(".home-today").inner_text() and len(answers) == 1
    _log_out(page)
    page.goto("/login")
    page.wait_for_function(PASSKEY_BUTTON_READY)
    replay = page.evaluate(
        """async (body) => {
            const box = document.querySelector('#auth-passkey');
            await fetch('/login/passkey/options', {method: 'POST', body: '{}',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': box.dataset.csrf}});
            const response = await fetch('/login/passkey', {method: 'POST', body: body,
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': box.dataset.csrf}});
            return {status: response.status, body: await response.json()};
        }""", answers[0])
    assert replay["status"] == 422 and "error" in replay["body"]
    page.goto("/")
    assert path_of(page) == "/login", "a replayed answer must not log anyone in"
    assert json.loads(answers[0])["credential"]["id"]


def test_staff_without_a_second_factor_are_led_to_set_one_up(app, local_page):
    page = local_page(viewport=PHONE)
    log_in(page, TEACHER)
    flash = page.locator(".flash--warning")
    assert "Beveilig je account met een tweede stap" in flash.inner_text()
    flash.get_by_role("link", name="Stel hem nu in").click()
    page.wait_for_url(re.compile(r"/account/second-factor$"))
    assert_no_axe_violations(page)

    # Past the grace period the portal holds them on this page until it is done.
    _log_out(page)
    _grace_over(app, TEACHER)
    log_in(page, TEACHER)
    assert path_of(page) == "/account/second-factor"
    page.goto("/")
    assert path_of(page) == "/account/second-factor"
    page.get_by_role("button", name="Authenticator-app instellen").click()
    page.wait_for_url(re.compile(r"/account/second-factor/app$"))
    assert page.locator(".qr-code svg").is_visible()
    assert_no_axe_violations(page)
    secret = page.locator("#account-app-secret").inner_text().replace(" ", "")
    page.get_by_label("Code uit je authenticator-app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("heading", name="Je herstelcodes").wait_for()
    assert page.locator("#account-recovery-codes li").count() == 10
    assert_no_axe_violations(page)
    page.goto("/")
    assert path_of(page) == "/" and page.errors == []


@pytest.fixture
def teacher_with_app(app, local_page):
    """Juf Sanne with an authenticator app set up: (page, totp, recovery codes)."""
    page = local_page()
    log_in(page, TEACHER, then="/account/second-factor")
    page.get_by_role("button", name="Authenticator-app instellen").click()
    totp = pyotp.TOTP(page.locator("#account-app-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code uit je authenticator-app").fill(totp.now())
    page.get_by_role("button", name="Bevestigen").click()
    page.locator("#account-recovery-codes").wait_for()
    codes = page.locator("#account-recovery-codes code").all_inner_texts()
    _log_out(page)
    return page, totp, codes


def test_a_pyotp_code_works_once(app, teacher_with_app):
    page, totp, _ = teacher_with_app
    code = _next_code(app, totp, TEACHER)
    log_in(page, TEACHER)
    assert path_of(page) == "/login/second-factor"
    assert_no_axe_violations(page)
    page.get_by_label("Code uit je authenticator-app").fill(code)
    page.locator("#auth-second-code button[type=submit]").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    _log_out(page)

    log_in(page, TEACHER)
    page.get_by_label("Code uit je authenticator-app").fill(code)
    page.locator("#auth-second-code button[type=submit]").click()
    page.get_by_text("Deze code klopt niet, of is al gebruikt.").wait_for()
    page.goto("/")
    assert path_of(page) == "/login"


def test_a_recovery_code_works_once(app, teacher_with_app):
    page, _, codes = teacher_with_app
    assert len(codes) == 10
    log_in(page, TEACHER)
    page.get_by_label("Herstelcode").fill(codes[0])
    page.get_by_role("button", name="Inloggen met een herstelcode").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert "er zijn er nog 9" in page.locator("#flash-messages").inner_text()
    _log_out(page)

    log_in(page, TEACHER)
    page.get_by_label("Herstelcode").fill(codes[0])
    page.get_by_role("button", name="Inloggen met een herstelcode").click()
    page.get_by_text("Deze herstelcode klopt niet, of is al gebruikt.").wait_for()
    page.goto("/")
    assert path_of(page) == "/login"


def test_without_javascript_the_passkey_buttons_say_they_need_it(local_page):
    page = local_page(java_script_enabled=False)
    page.goto("/login")
    button = page.get_by_role("button", name="Inloggen met een passkey")
    assert button.is_disabled()
    note = page.locator("#auth-passkey-note").inner_text()
    assert "Voor passkeys moet JavaScript aan staan" in note
    log_in(page, PARENT)
    assert path_of(page) == "/"
    page.goto("/account")
    assert page.get_by_role("button", name="Passkey toevoegen").is_disabled()
    assert page.locator("#account-passkey-add-note").is_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_passkey_pages_have_no_axe_violations(local_page, viewport):
    page = local_page(viewport=viewport)
    page.goto("/login")
    page.wait_for_function(PASSKEY_BUTTON_READY)
    assert_no_axe_violations(page)
    log_in(page, TEACHER)
    for url in ("/account", "/account/second-factor"):
        page.goto(url)
        assert_no_axe_violations(page)
    assert page.errors == []
