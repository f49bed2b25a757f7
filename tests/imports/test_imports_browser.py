"""Importing pupils in a real browser: the upload works boosted and without JavaScript."""

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Pupil
from schoolportal.imports import pupil_csv
from tests.support.browser import DESKTOP, PHONE, assert_no_axe_violations, log_in, wait_for_htmx
from tests.support.web import ADMIN

EXAMPLE = pupil_csv.example_csv().encode("utf-8")
BAD = b"leerlingnummer;voornaam;achternaam;geboortedatum;groep;email_ouder_1\n" \
      b"1;Sem;Jansen;31-02-2019;Groep 9;geen-adres\n"


def choose_file(page, data, name="leerlingen.csv"):
    """Pick a file in the upload form and send it."""
    page.locator("#imports-upload input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})
    page.locator("#imports-upload button[type=submit]").click()
    page.locator("main h1", has_text="Import controleren").wait_for()


def imported_pupils(app):
    """How many pupils of the example file exist."""
    with app.app_context(), db.connection_context():
        return Pupil.select().where(Pupil.pupil_number.in_(["1001", "1002", "1003",
                                                            "1004"])).count()


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["htmx", "no-js"])
def test_upload_check_and_confirm(app, new_page, java_script_enabled):
    page = new_page(java_script_enabled=java_script_enabled)
    log_in(page, ADMIN, then="/admin/import")
    if java_script_enabled:
        wait_for_htmx(page)
    choose_file(page, EXAMPLE)
    assert "Nieuwe leerlingen" in page.locator("main").inner_text()
    assert imported_pupils(app) == 0
    page.get_by_role("button", name="Nu importeren").click()
    page.locator(".flash--success").wait_for()
    assert "Import klaar: 4 nieuwe leerlingen" in page.locator(".flash--success").inner_text()
    assert imported_pupils(app) == 4
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_import_pages(page):
    log_in(page, ADMIN, then="/admin/import")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    choose_file(page, EXAMPLE)
    page.locator("details summary").first.click()
    assert_no_axe_violations(page)
    page.goto("/admin/import")
    choose_file(page, BAD)
    assert "3 fouten in het bestand" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    # The browser notes the deliberate 422 of a file with errors; nothing else may show.
    assert [e for e in page.errors if "status of 422" not in e] == []
