"""The administration in a real browser: accessibility (axe) and the htmx pupil filter."""

import re

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import MAIL_DEAD, OutboxMail, Pupil
from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    assert_no_axe_violations,
    log_in,
    wait_for_htmx,
)
from tests.support.web import ADMIN


def _sem_id_and_a_dead_mail(app):
    """Sem's id; also queue a sent and a dead mail so the mail page shows both kinds."""
    with app.app_context(), db.connection_context():
        for status in ("sent", MAIL_DEAD):
            OutboxMail.create(to_email="ouder@example.org", template="invitations/invitation",
                              language="nl",
                              subject=f"Uitnodiging ({status})", body_text="tekst",
                              body_html="<p>tekst</p>", status=status, attempts=8,
                              last_error="550 mailbox unknown" if status == MAIL_DEAD else None)
        return Pupil.get(Pupil.first_name == "Sem").id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_admin_pages(app, page):
    sem = _sem_id_and_a_dead_mail(app)
    log_in(page, ADMIN)
    for path, heading in [("/admin", "Administratie"), ("/admin/groups", "Groepen"),
                          (f"/admin/pupils/{sem}", "Sem Jansen"), ("/admin/staff", "Medewerkers"),
                          ("/admin/mail", "Verzonden e-mail")]:
        page.goto(path)
        assert heading in page.locator("main h1").inner_text(), path
        wait_for_htmx(page)
        assert_no_axe_violations(page)
    assert page.errors == []


def test_pupil_filter_swaps_only_the_list(page):
    log_in(page, ADMIN, then="/admin/pupils")
    wait_for_htmx(page)
    page.evaluate("() => { document.getElementById('admin-pupils').dataset.marker = 'old'; }")
    with page.expect_response(lambda r: "q=Bakker" in r.url, timeout=TIMEOUT_MS) as info:
        page.locator("#admin-pupil-filter").press_sequentially("Bakker", delay=20)
    assert "<html" not in info.value.text().lower()
    page.wait_for_url(re.compile(r"/admin/pupils\?.*q=Bakker"))
    page.wait_for_function(
        "() => document.getElementById('admin-pupils').dataset.marker !== 'old'")
    names = page.locator("#admin-pupils li a").all_inner_texts()
    assert "Lotte Bakker" in names and all("bakker" in n.lower() for n in names)
    assert page.errors == []


def test_leaving_school_works_without_javascript(app, page_without_js):
    page = page_without_js
    sem = _sem_id_and_a_dead_mail(app)
    log_in(page, ADMIN, then=f"/admin/pupils/{sem}")
    page.locator("form#admin-leave button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/pupils/{sem}$"))
    assert page.locator("form#admin-leave").count() == 0
    page.goto("/admin/pupils/left")
    assert "Sem Jansen" in page.locator("main").inner_text()
