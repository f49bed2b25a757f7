"""The EDEXML import in a real browser: with htmx and without JavaScript, and accessible."""

import pytest

from schoolportal.core import worker
from schoolportal.core.extensions import db
from schoolportal.imports.models import PupilKey
from tests.imports.test_edexml_web import BOMB
from tests.support.browser import DESKTOP, PHONE, assert_no_axe_violations, log_in, wait_for_htmx
from tests.support.edexml import school_export, to_xml
from tests.support.web import ADMIN


def export_of(app):
    """EDEXML bytes of a school of 60 pupils for today."""
    with app.app_context():
        return to_xml(school_export(worker.school_today()))


def keyed_pupils(app):
    """How many pupils carry a key from the administration."""
    with app.app_context(), db.connection_context():
        return PupilKey.select().count()


def send(page, data, name="EDEX.XML"):
    """Choose a file in the EDEXML form and send it."""
    page.locator("#imports-edexml-upload input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/xml", "buffer": data})
    page.locator("#imports-edexml-upload button[type=submit]").click()


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["htmx", "no-js"])
def test_upload_check_and_apply(app, new_page, java_script_enabled):
    page = new_page(java_script_enabled=java_script_enabled)
    log_in(page, ADMIN, then="/admin/import")
    if java_script_enabled:
        wait_for_htmx(page)
    send(page, export_of(app))
    page.get_by_role("button", name="Nu importeren").wait_for()
    assert "Nieuwe leerlingen" in page.locator("#imports-edexml").inner_text()
    assert keyed_pupils(app) == 0
    if java_script_enabled:  # htmx swapped the card in place: the page around it stayed
        assert page.url.endswith("/admin/import")
    page.get_by_role("button", name="Nu importeren").click()
    page.locator(".flash--success").wait_for()
    assert "60 nieuwe leerlingen" in page.locator(".flash--success").inner_text()
    assert keyed_pupils(app) == 60
    assert page.locator("#imports-edexml-upload").count() == 1
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_edexml_pages(app, page):
    data = export_of(app)
    log_in(page, ADMIN, then="/admin/import")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    send(page, data)
    page.get_by_role("button", name="Nu importeren").wait_for()
    for summary in page.locator("#imports-edexml details summary").all():
        summary.click()
    assert_no_axe_violations(page)
    page.goto("/admin/import")
    wait_for_htmx(page)
    send(page, BOMB)
    page.locator("#imports-edexml .field__error").wait_for()
    assert "DTD" in page.locator("#imports-edexml .field__error").inner_text()
    assert_no_axe_violations(page)
    assert [e for e in page.errors if "status of 422" not in e] == []
