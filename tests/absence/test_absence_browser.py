"""Absence in a real browser with a real SMTP server on loopback.

A parent taps "report sick" on the phone; the worker mails the teacher; the teacher's
overview shows the reason and she marks it seen; both of Sem's guardians then see who saw
it. axe checks the report form, the teacher's overview and the leave pages.
"""

import re
from datetime import timedelta

import pytest

from schoolportal.absence import service
from schoolportal.absence.models import AbsenceReport
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Guardianship, Pupil, User
from tests.support.browser import PHONE, assert_no_axe_violations, log_in, path_of, wait_for_htmx
from tests.support.web import ADMIN, PARENT, TEACHER, run_worker


@pytest.fixture
def sem(app):
    """Sem Jansen's id, with a second guardian (who has an account of their own)."""
    with app.app_context(), db.connection_context(), write_transaction():
        pupil = Pupil.get(Pupil.first_name == "Sem")
        second = User.get(User.email.startswith("ouder2") & User.password_hash.is_null(False))
        Guardianship.create(guardian=second, pupil=pupil)
        return pupil.id, second.email


def _real_errors(page):
    """Console errors, without Chromium's notes about 4xx answers the test expects."""
    return [e for e in page.errors if not re.search(r"status of 4\d\d", e)]


def test_sick_report_reaches_the_teacher_and_both_guardians_see_it_was_seen(
        app, live_server, smtp_server, new_page, sem):
    app.config["BASE_URL"] = live_server
    pupil_id, second_guardian = sem

    parent = new_page(viewport=PHONE)
    log_in(parent, PARENT)
    wait_for_htmx(parent)
    card = parent.locator(f"#absence-child-{pupil_id}")
    parent.evaluate("() => { window.__sameDocument = true; }")
    with parent.expect_response(lambda r: r.request.method == "POST") as posted:
        card.get_by_role("button", name=re.compile("Ziek melden voor vandaag")).click()
    assert posted.value.request.headers.get("hx-request") == "true"
    card = parent.locator(f"#absence-child-{pupil_id}")
    card.get_by_text("Sem is ziek gemeld voor vandaag").wait_for()
    assert parent.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    assert "Nog niet gezien door de leerkracht" in card.inner_text()
    assert_no_axe_violations(parent)
    assert _real_errors(parent) == []

    run_worker(app)
    [mail] = smtp_server.to(TEACHER)
    text = mail.get_body(("plain",)).get_content()
    assert "Eva Jansen heeft Sem Jansen (Groep 1/2A) afwezig gemeld." in text
    assert "Reden: Ziek" in text
    link = re.search(re.escape(live_server) + r"/afwezigheid/(\d+)", text)
    report_id = int(link.group(1))

    teacher = new_page()
    log_in(teacher, TEACHER, then="/afwezigheid")
    wait_for_htmx(teacher)
    row = teacher.locator(f"#absence-report-{report_id}")
    assert "Sem Jansen" in row.inner_text() and "Ziek" in row.inner_text()
    assert "Afwezig vandaag in Groep 1/2A" in teacher.locator("main").inner_text()
    assert_no_axe_violations(teacher)
    row.get_by_role("button", name=re.compile("Gezien")).click()
    teacher.locator(f"#absence-report-{report_id}", has_text="Gezien door juf Sanne").wait_for()
    assert_no_axe_violations(teacher)
    teacher.goto(link.group(0))  # the link in the mail opens the report
    assert "Gezien door juf Sanne" in teacher.locator("main").inner_text()
    assert _real_errors(teacher) == []

    for address in (PARENT, second_guardian):
        guardian = new_page(viewport=PHONE)
        log_in(guardian, address)
        card = guardian.locator(f"#absence-child-{pupil_id}")
        assert "Gezien door juf Sanne" in card.inner_text()
        guardian.goto(f"/afwezigheid/{report_id}")
        assert "Gezien door juf Sanne" in guardian.locator("main").inner_text()


def test_report_form_and_leave_pages_pass_axe_and_work_without_javascript(
        app, new_page, page_without_js, sem):
    pupil_id, _second = sem
    page = page_without_js
    log_in(page, PARENT, then="/afwezigheid/melden")
    form = page.locator("form#absence-report-form")
    form.locator("input[name=reason][value=doctor]").check()
    form.locator("input[name=day_part][value=part]").check()
    form.locator("input[name=start_time]").fill("11:00")
    form.locator("input[name=end_time]").fill("10:00")
    form.locator("button[type=submit]").click()
    page.locator("#end_time-error").wait_for()
    assert "De tijd van terugkomst" in page.locator("#end_time-error").inner_text()
    form = page.locator("form#absence-report-form")
    form.locator("input[name=end_time]").fill("12:15")
    form.locator("textarea[name=note]").fill("Naar de tandarts")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/afwezigheid/\d+$"))
    assert "Huisarts of tandarts" in page.locator("main").inner_text()

    page.goto("/afwezigheid/verlof/aanvragen")
    day = (_today(app) + timedelta(days=12)).isoformat()
    form = page.locator("form#absence-leave-form")
    form.locator("input[name=starts_on]").fill(day)
    form.locator("input[name=ends_on]").fill(day)
    form.locator("textarea[name=reason]").fill("De bruiloft van zijn tante")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/afwezigheid/verlof/\d+$"))
    leave_url = path_of(page)

    checked = new_page()
    log_in(checked, PARENT)
    for url in ("/afwezigheid/melden", "/afwezigheid", "/afwezigheid/verlof/aanvragen",
                "/afwezigheid/verlof", leave_url):
        checked.goto(url)
        assert_no_axe_violations(checked)
    checked.goto("/afwezigheid/melden")  # with messages next to the fields
    checked.locator("input[name=reason][value=other]").check()
    checked.locator("form#absence-report-form button[type=submit]").click()
    checked.locator("#reason_text-error").wait_for()
    assert_no_axe_violations(checked)

    office = new_page()
    log_in(office, ADMIN)
    for url in ("/afwezigheid/verlof", leave_url, "/afwezigheid/dag"):
        office.goto(url)
        assert_no_axe_violations(office)
    office.goto(leave_url)
    office.locator("input[name=decision][value=approve]").check()
    office.locator("form button[type=submit]", has_text="Besluit opslaan").click()
    office.wait_for_url(re.compile(r"/afwezigheid/verlof$"))
    assert "Het besluit is opgeslagen" in office.locator("#flash-messages").inner_text()


def test_one_tap_works_without_javascript(app, page_without_js, sem):
    pupil_id, _second = sem
    page = page_without_js
    log_in(page, PARENT)
    page.locator(f"#absence-child-{pupil_id} button", has_text="Ziek melden").click()
    page.locator("#flash-messages", has_text="Sem is ziek gemeld voor vandaag").wait_for()
    assert "Afwezig gemeld:" in page.locator(f"#absence-child-{pupil_id}").inner_text()
    with app.app_context(), db.connection_context():
        assert AbsenceReport.select().count() == 1


def _today(app):
    """Today at the school."""
    with app.app_context():
        return service.school_today()
