"""After switching the language with htmx, <html lang> says the new language."""

from tests.support.browser import PHONE, log_in, wait_for_htmx
from tests.support.web import PARENT


def test_switching_language_on_the_login_page_updates_html_lang(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/login")
    wait_for_htmx(page)
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Log in").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="Nederlands").click()
    page.get_by_role("heading", name="Inloggen").wait_for()
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.errors == []


def test_switching_language_in_the_account_settings_updates_html_lang(new_page):
    page = new_page(viewport=PHONE)
    log_in(page, PARENT, then="/account")
    wait_for_htmx(page)
    form = page.locator("form#account-settings")
    form.locator("input[name=language][value=en]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.body.getAttribute('lang') === 'en'")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#webapp-tabs").inner_text().split()[0] == "Start"
    assert "More" in page.locator("#webapp-tabs").inner_text()
