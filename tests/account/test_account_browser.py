"""The profile page and password change in Chromium: axe, photo upload with and without JS."""

import pytest

from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.images import phone_photo
from tests.support.web import PARENT

NEW_PASSWORD = "fietsen naar de bieb"


def _photo_file(tmp_path):
    """A phone photo with GPS on disk, for the file chooser."""
    path = tmp_path / "vakantie.jpg"
    path.write_bytes(phone_photo(size=(600, 400)))
    return path


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 422 answers."""
    return [e for e in errors if "status of 422" not in e]


def _loaded(image):
    """True once an <img> has really been decoded (waits for it: a busy machine is slow)."""
    image.page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                 arg=image.element_handle())
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_account_pages_have_no_axe_violations(new_page, viewport, tmp_path):
    page = new_page(viewport=viewport)
    log_in(page, PARENT, then="/account")
    assert_no_axe_violations(page)
    # With a photo, and with a refused upload's message next to the field.
    page.locator("#account-photo-upload input[type=file]").set_input_files(_photo_file(tmp_path))
    page.locator("#account-photo-upload button[type=submit]").click()
    page.locator(".flash--success").wait_for()
    assert_no_axe_violations(page)
    page.locator("#account-photo-upload button[type=submit]").click()  # no file chosen
    page.locator("#account-photo .field__error").wait_for()
    assert_no_axe_violations(page)

    page.goto("/account/password")
    assert_no_axe_violations(page)
    page.locator("#account-password button[type=submit]").click()  # everything empty
    page.locator("#account-password .field__error").first.wait_for()
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def test_uploading_a_photo_with_javascript(page, tmp_path):
    log_in(page, PARENT, then="/account")
    wait_for_htmx(page)
    page.locator("#account-photo-upload input[type=file]").set_input_files(_photo_file(tmp_path))
    page.locator("#account-photo-upload button[type=submit]").click()
    page.locator(".flash--success").wait_for()
    assert path_of(page) == "/account"
    assert _loaded(page.locator(".account-photo__current"))
    assert _loaded(page.locator(".account-preview .author__photo"))
    page.locator("#account-photo-remove button[type=submit]").click()
    expect(page.locator(".account-preview .author__photo")).to_have_count(0)
    expect(page.locator("#account-photo-remove")).to_have_count(0)
    assert page.locator(".account-preview .author__initials").inner_text() == "EJ"
    assert page.errors == []


def test_uploading_a_photo_without_javascript(page_without_js, tmp_path):
    page = page_without_js
    log_in(page, PARENT, then="/account")
    page.locator("#account-photo-upload input[type=file]").set_input_files(_photo_file(tmp_path))
    page.locator("#account-photo-upload button[type=submit]").click()
    page.locator(".flash--success").wait_for()
    assert _loaded(page.locator(".account-photo__current"))


def test_a_refused_upload_shows_the_message_with_javascript(page, tmp_path):
    log_in(page, PARENT, then="/account")
    wait_for_htmx(page)
    fake = tmp_path / "foto.jpg"
    fake.write_text("geen foto")
    page.locator("#account-photo-upload input[type=file]").set_input_files(fake)
    page.locator("#account-photo-upload button[type=submit]").click()
    error = page.locator("#account-photo .field__error")
    error.wait_for()
    assert "JPEG" in error.inner_text()
    assert page.locator(".account-photo__current").count() == 0
    assert _unexpected(page.errors) == []


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["js", "no-js"])
def test_changing_the_password(new_page, java_script_enabled):
    page = new_page(java_script_enabled=java_script_enabled)
    log_in(page, PARENT, then="/account/password")
    form = page.locator("#account-password")
    form.locator("input[name=current_password]").fill("demo-wachtwoord")
    form.locator("input[name=new_password]").fill(NEW_PASSWORD)
    form.locator("input[name=repeat_password]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()
    page.locator(".flash--success").wait_for()
    assert path_of(page) == "/account"
    assert page.errors == []
