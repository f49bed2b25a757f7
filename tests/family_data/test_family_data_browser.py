"""Family export and erasure in a real browser: axe, the download, erasing without JavaScript."""

import io
import json
import re
import zipfile

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import User
from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    assert_no_axe_violations,
    log_in,
    wait_for_htmx,
)
from tests.support.web import ADMIN, TWO_GROUP_PARENT


def _nadia_id(app):
    """The account id of ouder.elmansouri."""
    with app.app_context(), db.connection_context():
        return User.by_email(TWO_GROUP_PARENT).id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_export_and_erasure_pages(app, page):
    nadia = _nadia_id(app)
    log_in(page, ADMIN)
    for path, heading in [("/admin/families?q=mansouri", "Gezinnen"),
                          (f"/admin/families/{nadia}", "Gezin van Nadia El Mansouri"),
                          (f"/admin/families/{nadia}/erase", "Een gezin wissen")]:
        page.goto(path)
        assert heading in page.locator("main h1").inner_text(), path
        wait_for_htmx(page)
        assert_no_axe_violations(page)
    page.locator("input[name=reason][value=request]").check()
    page.locator("form#family-data-erase button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/families$"))
    assert "Nadia El Mansouri" in page.locator("main").inner_text()
    assert_no_axe_violations(page)  # the list of erasures waiting, with its cancel button
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_parent_downloads_their_data(app, page):
    log_in(page, TWO_GROUP_PARENT, then="/account/data")
    assert "Jouw gegevens" in page.locator("main h1").inner_text()
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.locator("form#family-data-export button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    children = json.loads(archive.read("children.json"))
    assert [c["first_name"] for c in children] == ["Adam", "Yasmin"]
    assert page.errors == []


def test_family_search_swaps_only_the_results(page):
    log_in(page, ADMIN, then="/admin/families")
    wait_for_htmx(page)
    with page.expect_response(lambda r: "q=Yasmin" in r.url, timeout=TIMEOUT_MS) as info:
        page.locator("#family-data-q").press_sequentially("Yasmin", delay=20)
    assert "<html" not in info.value.text().lower()
    page.wait_for_function(
        "() => document.querySelector('#family-data-results a') !== null")
    assert "Nadia El Mansouri" in page.locator("#family-data-results").inner_text()
    assert page.errors == []
