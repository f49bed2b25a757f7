"""The audit log and the retention page in a real browser: axe, the htmx filter, no JS."""

import re
from datetime import timedelta

import pytest

from schoolportal.albums.models import Album, Photo
from schoolportal.core import audit
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, Pupil, User, utcnow
from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    assert_no_axe_violations,
    log_in,
    wait_for_htmx,
)
from tests.support.web import ADMIN, TEACHER


def _some_history(app):
    """Entries of every action (one by a deleted account) and an album past retention."""
    with app.app_context(), db.connection_context():
        sem = Pupil.get(Pupil.first_name == "Sem")
        teacher = User.by_email(TEACHER)
        audit.record("consent_change", "pupil", sem.id, actor=teacher)
        audit.record("role_change", "user", teacher.id, actor=User.by_email(ADMIN), role="admin")
        AuditEntry.create(action="export", actor=None, actor_role="parent",
                          subject_type="user", subject_id=987654)
        for action in audit.ACTIONS:
            audit.record(action, "user", teacher.id)
        album = Album.create(title="Schoolreisje", created_at=utcnow() - timedelta(days=800))
        Photo.create(album=album, stem="a" * 32, widths="320", width=320, height=200)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_audit_and_retention_pages(app, page):
    _some_history(app)
    log_in(page, ADMIN)
    for path, heading in [("/admin/audit", "Logboek"), ("/admin/retention", "Bewaartermijnen"),
                          ("/admin/audit?action=export&since=2020-01-01", "Logboek")]:
        page.goto(path)
        assert heading in page.locator("main h1").inner_text(), path
        wait_for_htmx(page)
        assert_no_axe_violations(page)
    assert "verwijderde gebruiker" in page.locator("#privacy-admin-audit").inner_text()
    assert page.errors == []
    page.goto("/admin/audit?since=gisteren")  # 422: the browser logs the status, nothing else
    assert page.locator("#privacy-admin-audit [role=alert]").is_visible()
    assert_no_axe_violations(page)


def test_the_filter_swaps_only_the_list(app, page):
    _some_history(app)
    log_in(page, ADMIN, then="/admin/audit")
    wait_for_htmx(page)
    page.evaluate(
        "() => { document.getElementById('privacy-admin-audit').dataset.marker = 'old'; }")
    with page.expect_response(lambda r: "action=role_change" in r.url, timeout=TIMEOUT_MS) as info:
        page.locator("#action").select_option("role_change")
        page.get_by_role("button", name="Tonen").click()
    assert "<html" not in info.value.text().lower()
    page.wait_for_url(re.compile(r"/admin/audit\?.*action=role_change"))
    page.wait_for_function(
        "() => document.getElementById('privacy-admin-audit').dataset.marker !== 'old'")
    rows = page.locator("#privacy-admin-audit tbody tr").all_inner_texts()
    assert rows and all("Rol of toegang gewijzigd" in row for row in rows)
    assert any("beheerder gemaakt" in row for row in rows)
    assert page.errors == []


def test_the_admin_reaches_both_pages_without_javascript(app, page_without_js):
    page = page_without_js
    _some_history(app)
    log_in(page, ADMIN, then="/admin")
    page.get_by_role("link", name="Bewaartermijnen").click()
    page.wait_for_url(re.compile(r"/admin/retention$"))
    row = page.locator("tr", has=page.locator("th", has_text="Fotoalbums"))
    assert row.locator("td").last.inner_text().strip() == "1"
    page.get_by_role("link", name="Logboek").click()
    page.wait_for_url(re.compile(r"/admin/audit$"))
    page.locator("#action").select_option("consent_change")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(re.compile(r"action=consent_change"))
    assert page.locator("#privacy-admin-audit a", has_text="Sem Jansen").count() == 1
