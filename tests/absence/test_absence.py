"""Absence reports over HTTP with CSRF on: one tap, details, corrections, teachers, office, privacy.

Reports that must not have begun are made for tomorrow (or later) and begun ones for
yesterday, so the tests do not depend on the time of day they run.
"""

import re
import threading
from datetime import date, timedelta

import pytest

from schoolportal.absence import service
from schoolportal.absence.models import AbsenceReport
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Guardianship, OutboxMail, Pupil, User
from tests.support.queries import statements_for
from tests.support.web import (
    ADMIN,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
    run_worker,
)

QUICK = "/afwezigheid/ziek-melden"
NEW = "/afwezigheid/melden"
HTMX = {"HX-Request": "true"}
SECRET = "Waterpokken, nog niet besmettelijk"  # a note nobody else may read


def _read(app, function):
    """Run a function with a database connection and return its result."""
    with app.app_context(), db.connection_context():
        return function()


def _pupil_id(app, first_name):
    """A demo pupil's id."""
    return _read(app, lambda: Pupil.get(Pupil.first_name == first_name).id)


def _today(app):
    """Today at the school."""
    return _read(app, service.school_today)


def _reports(app):
    """Every stored report, oldest first."""
    return _read(app, lambda: list(AbsenceReport.select().order_by(AbsenceReport.id)))


def _mails(app, template=None):
    """Queued mails (of one template), oldest first."""
    def query():
        mails = OutboxMail.select().order_by(OutboxMail.id)
        return list(mails.where(OutboxMail.template == template) if template else mails)
    return _read(app, query)


def _card_fields(html, pupil_id):
    """The hidden fields of a child's one-tap form on the home page."""
    card = re.search(rf'<div id="absence-child-{pupil_id}".*?</form>', html, re.S)
    assert card, f"no one-tap form for pupil {pupil_id}"
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', card.group(0)))


def _tap(client, app, first_name="Sem", headers=None):
    """Open the home page and tap "report sick" for a child."""
    fields = _card_fields(client.get("/").get_data(as_text=True), _pupil_id(app, first_name))
    return client.post(QUICK, data=fields, headers=headers or {})


def _details(client, app, first_name="Sem", **changes):
    """Send the report form with details (reason doctor tomorrow, whole day by default)."""
    html = client.get(NEW).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    tomorrow = _today(app) + timedelta(days=1)
    data = {"csrf_token": csrf_token_from(html), "submission_key": key,
            "pupil": _pupil_id(app, first_name), "reason": "doctor", "reason_text": "",
            "starts_on": tomorrow.isoformat(), "ends_on": "", "day_part": "whole",
            "start_time": "", "end_time": "", "note": ""}
    data.update(changes)
    return client.post(NEW, data={k: v for k, v in data.items() if v is not None})


def _report_directly(app, first_name, first, last=None, note=SECRET, reason="sick"):
    """A report stored through the domain (for days the form does not allow)."""
    def store():
        pupil = Pupil.get(Pupil.first_name == first_name)
        parent = User.get_by_id(Guardianship.get(Guardianship.pupil == pupil).guardian_id)
        return service.report(pupil, parent, f"direct-{first_name}-{first}".ljust(20, "x"),
                               reason=reason, starts_on=first, ends_on=last, note=note)[0].id
    return _read(app, store)


def _action(client, url, page):
    """Press a button whose form is on `page` (the CSRF token comes from it)."""
    return client.post(url, data={"csrf_token": csrf_token_from(
        client.get(page).get_data(as_text=True))})


# --- the one tap ------------------------------------------------------------------------

def test_each_child_has_a_card_with_one_tap(login_as, app):
    html = login_as(TWO_GROUP_PARENT).get("/").get_data(as_text=True)
    assert "Afwezig melden" in html
    for name in ("Yasmin", "Adam"):
        fields = _card_fields(html, _pupil_id(app, name))
        assert fields["pupil"] == str(_pupil_id(app, name)) and len(fields["submission_key"]) > 16
    assert html.count("Ziek melden voor vandaag") == 2


def test_one_tap_reports_sick_from_today_until_further_notice(app, parent, smtp_server):
    response = _tap(parent, app)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = parent.get("/").get_data(as_text=True)
    assert "Sem is ziek gemeld voor vandaag. De leerkracht heeft bericht gekregen." in home
    assert "Afwezig gemeld:" in home and "tot nader bericht" in home
    assert "Nog niet gezien door de leerkracht" in home
    [report] = _reports(app)
    assert (report.reason, report.starts_on, report.ends_on) == ("sick", _today(app), None)
    run_worker(app)
    [mail] = smtp_server.to(TEACHER)
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Afwezig: Sem Jansen (Groep 1/2A)"
    assert "Eva Jansen heeft Sem Jansen (Groep 1/2A) afwezig gemeld." in text
    assert "Reden: Ziek" in text and "tot nader bericht" in text
    assert f"/afwezigheid/{report.id}" in text
    assert smtp_server.to(OTHER_TEACHER) == []


def test_one_tap_from_the_absence_page_returns_there(app, parent):
    html = parent.get("/afwezigheid").get_data(as_text=True)
    fields = _card_fields(html, _pupil_id(app, "Sem"))
    response = parent.post(QUICK, data=dict(fields, next="https://evil.example/"))
    assert response.headers["Location"] == "/"  # only paths on this site
    assert _reports(app)[0].reason == "sick"
    html = parent.get("/afwezigheid").get_data(as_text=True)
    assert "Afwezig gemeld:" in html and ("Weer beter" in html or "Afmelden" in html)
    assert fields["next"] == "/afwezigheid"


def test_one_tap_with_htmx_answers_with_the_card(app, parent):
    response = _tap(parent, app, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith(f'\n<div id="absence-child-{_pupil_id(app, "Sem")}"') or \
        f'id="absence-child-{_pupil_id(app, "Sem")}"' in html
    assert "Sem is ziek gemeld voor vandaag" in html and "Ziek melden voor vandaag" not in html
    assert len(_reports(app)) == 1


def test_ten_rapid_duplicate_submissions_create_one_report(app, parent):
    fields = _card_fields(parent.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
    answers = [parent.post(QUICK, data=fields, headers=HTMX if n % 2 else {})
               for n in range(10)]
    assert {a.status_code for a in answers} == {200, 302}
    assert len(_reports(app)) == 1 and len(_mails(app)) == 1
    for html in (a.get_data(as_text=True) for a in answers if a.status_code == 200):
        assert "Sem" in html and "Ziek melden voor vandaag" not in html


def test_ten_forms_sent_at_once_create_one_report(app, login_as):
    """Ten tabs (ten keys, some sent twice), posted by threads at the same moment."""
    clients = [login_as(PARENT) for _ in range(5)]
    forms = [_card_fields(c.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
             for c in clients]
    start, statuses = threading.Barrier(10), []

    def send(client, fields):
        start.wait(timeout=10)
        statuses.append(client.post(QUICK, data=fields, headers=HTMX).status_code)

    pairs = [(clients[n % 5], forms[n % 5]) for n in range(10)]
    threads = [threading.Thread(target=send, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 10
    assert len(_reports(app)) == 1 and len(_mails(app)) == 1


def test_a_child_already_reported_today_is_not_reported_twice(app, parent, login_as):
    second = _second_guardian(app)
    guardian = login_as(second)
    stale = _card_fields(guardian.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
    assert _tap(parent, app).status_code == 302
    response = guardian.post(QUICK, data=stale, headers=HTMX)
    assert "Sem was voor vandaag al afwezig gemeld." in response.get_data(as_text=True)
    assert len(_reports(app)) == 1


# --- reporting with details -------------------------------------------------------------

def test_report_form_full_page_and_fragment(parent):
    page = parent.get(NEW)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    for text in ("Afwezig melden", "Huisarts of tandarts", "Tot en met", "Een deel van de dag",
                 "Opmerking voor de leerkracht"):
        assert text in html
    fragment = parent.get(NEW, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="absence-report-form"' in fragment


def test_doctor_visit_for_part_of_a_day(app, parent, teacher):
    response = _details(parent, app, day_part="part", start_time="10:00", end_time="11:30",
                        note="Controle bij de orthodontist")
    [report] = _reports(app)
    assert response.status_code == 302 and response.headers["Location"] == \
        f"/afwezigheid/{report.id}"
    html = parent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sem is afwezig gemeld. De leerkracht heeft bericht gekregen." in html
    assert "Huisarts of tandarts" in html and "10:00 tot 11:30" in html
    assert report.ends_on == report.starts_on and not report.late
    overview = teacher.get("/afwezigheid").get_data(as_text=True)
    assert "Gemeld voor de komende dagen" in overview and "Controle bij de orthodontist" in overview


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_on": "{yesterday}", "starts_on": "{today}"}, "De laatste dag ligt vóór de eerste dag."),
    ({"starts_on": "{years_away}"}, "Je kunt afwezigheid tot 90 dagen vooruit melden."),
    ({"starts_on": "{years_ago}"}, "Je kunt afwezigheid tot 7 dagen terug melden."),
    ({"ends_on": "{years_away}"}, "Eén melding kan hoogstens 92 dagen beslaan."),
    ({"starts_on": "gisteren"}, "Kies een datum, bijvoorbeeld 14-03-2027."),
    ({"starts_on": ""}, "Kies de eerste dag."),
    ({"note": "x" * 20_000}, "Gebruik hoogstens 1000 tekens."),
    ({"reason": "other", "reason_text": "  "}, "Schrijf in een paar woorden wat de reden is."),
    ({"reason": "vakantie"}, "Ongeldige keuze."),
    ({"reason_text": "a\x00b", "reason": "other"}, "tekens die niet toegestaan zijn"),
    ({"day_part": "part", "start_time": "10:00"}, "Vul bij een deel van de dag beide tijden in."),
    ({"day_part": "part", "start_time": "11:00", "end_time": "10:00"}, "De tijd van terugkomst"),
    ({"pupil": "{lotte}"}, "Kies een van je kinderen."),
    ({"pupil": "abc"}, "Kies een van je kinderen."),
    ({"pupil": "99999999999999999999"}, "Kies een van je kinderen."),
    ({"submission_key": ""}, "Dit formulier is verlopen."),
    ({"submission_key": "k" * 10_000}, "Dit formulier is verlopen."),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, parent, changes, message):
    today = _today(app)
    values = {"today": today, "yesterday": today - timedelta(days=1),
              "years_away": date(today.year + 3, 1, 1), "years_ago": date(today.year - 3, 1, 1),
              "lotte": _pupil_id(app, "Lotte")}
    changes = {k: v.format(**values) if isinstance(v, str) else v for k, v in changes.items()}
    response = _details(parent, app, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert message in html
    assert _reports(app) == [] and _mails(app) == []


def test_unicode_in_a_note_is_kept(app, parent):
    assert _details(parent, app, note="Koorts 🤒 — ‘Zoë’ blijft thuis").status_code == 302
    assert _reports(app)[0].note == "Koorts 🤒 — ‘Zoë’ blijft thuis"


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_missing_or_wrong_csrf_token_changes_nothing(app, parent, token):
    fields = _card_fields(parent.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
    fields.pop("csrf_token")
    if token is not None:
        fields["csrf_token"] = token
    for headers in ({}, HTMX):
        response = parent.post(QUICK, data=fields, headers=headers)
        assert response.status_code == 400
        assert "Er is niets gewijzigd" in response.get_data(as_text=True)
    assert _details(parent, app, csrf_token=token).status_code == 400
    assert _reports(app) == [] and _mails(app) == []


def test_one_tap_for_another_familys_child_changes_nothing(app, parent):
    fields = _card_fields(parent.get("/").get_data(as_text=True), _pupil_id(app, "Sem"))
    fields["pupil"] = str(_pupil_id(app, "Lotte"))
    plain = parent.post(QUICK, data=fields)
    assert plain.status_code == 422 and "Kies een van je kinderen." in plain.get_data(as_text=True)
    htmx = parent.post(QUICK, data=fields, headers=HTMX)
    html = htmx.get_data(as_text=True)
    assert htmx.status_code == 422 and "<html" not in html and "Kies een van je kinderen." in html
    assert _reports(app) == [] and _mails(app) == []


# --- correcting, withdrawing, better again ----------------------------------------------

def test_parent_corrects_a_report_before_it_begins(app, parent, teacher):
    _details(parent, app)
    [report] = _reports(app)
    _action(teacher, f"/afwezigheid/{report.id}/gezien", "/afwezigheid")
    edit_url = f"/afwezigheid/{report.id}/wijzigen"
    html = parent.get(edit_url).get_data(as_text=True)
    assert "Melding voor Sem wijzigen" in html
    assert re.search(r'<input checked[^>]*value="doctor"', html)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    response = parent.post(edit_url, data={
        "csrf_token": csrf_token_from(html), "submission_key": key, "reason": "other",
        "reason_text": "Uitvaart van opa", "starts_on": report.starts_on.isoformat(),
        "ends_on": "", "day_part": "whole", "note": ""})
    assert response.status_code == 302
    [changed] = _reports(app)
    assert (changed.reason, changed.reason_text, changed.seen_at) == ("other", "Uitvaart van opa",
                                                                       None)
    assert "gewijzigd" in _mails(app, "absence/report")[-1].body_text
    assert "Anders: Uitvaart van opa" in parent.get(f"/afwezigheid/{report.id}").get_data(
        as_text=True)


def test_parent_withdraws_a_report_before_it_begins(app, parent):
    _details(parent, app)
    [report] = _reports(app)
    response = _action(parent, f"/afwezigheid/{report.id}/intrekken", f"/afwezigheid/{report.id}")
    assert response.status_code == 302 and _reports(app) == []
    assert "De melding voor Sem is ingetrokken." in parent.get(
        response.headers["Location"]).get_data(as_text=True)
    assert len(_mails(app, "absence/withdrawn")) == 1


def test_a_begun_report_is_read_only(app, parent):
    yesterday = _today(app) - timedelta(days=1)
    report_id = _report_directly(app, "Sem", yesterday, yesterday)
    page = parent.get(f"/afwezigheid/{report_id}").get_data(as_text=True)
    assert "de melding kan niet meer worden gewijzigd" in page
    assert f"/afwezigheid/{report_id}/wijzigen" not in page and "Afmelden" not in page
    edit = parent.get(f"/afwezigheid/{report_id}/wijzigen")
    assert edit.status_code == 302
    token = csrf_token_from(page)
    posted = parent.post(f"/afwezigheid/{report_id}/wijzigen", data={
        "csrf_token": token, "submission_key": "k" * 20, "reason": "other",
        "reason_text": "Anders", "starts_on": yesterday.isoformat(), "day_part": "whole"})
    withdrawn = parent.post(f"/afwezigheid/{report_id}/intrekken", data={"csrf_token": token})
    assert posted.status_code == withdrawn.status_code == 302
    assert "kan niet meer worden gewijzigd" in parent.get(
        f"/afwezigheid/{report_id}").get_data(as_text=True)
    [report] = _reports(app)
    assert (report.reason, report.ends_on) == ("sick", yesterday)


@pytest.mark.parametrize("htmx", [False, True])
def test_better_again_ends_an_open_ended_illness(app, parent, htmx):
    today = _today(app)
    report_id = _report_directly(app, "Sem", today - timedelta(days=2))
    assert "Weer beter" in parent.get("/").get_data(as_text=True)
    response = parent.post(f"/afwezigheid/{report_id}/weer-beter", headers=HTMX if htmx else {},
                           data={"csrf_token": csrf_token_from(parent.get("/").get_data(
                               as_text=True)), "next": "/"})
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
    else:
        assert response.status_code == 302
        html = parent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fijn dat Sem weer beter is!" in html
    assert _reports(app)[0].ends_on in (today - timedelta(days=1), today)


# --- teachers ---------------------------------------------------------------------------

def _second_guardian(app):
    """Give Sem a second guardian with an activated account; returns the address."""
    def link():
        other = User.get(User.email.startswith("ouder2") & User.password_hash.is_null(False))
        Guardianship.create(guardian=other, pupil=Pupil.get(Pupil.first_name == "Sem"))
        return other.email
    with app.app_context(), db.connection_context(), write_transaction():
        return link()


def test_teacher_overview_shows_who_is_away_today_with_reasons(app, parent, teacher, login_as):
    _tap(parent, app)
    _report_directly(app, "Lotte", _today(app), note="Buikpijn")
    html = teacher.get("/afwezigheid").get_data(as_text=True)
    assert "Afwezig vandaag in Groep 1/2A" in html and "Sem Jansen" in html and "Ziek" in html
    assert "Lotte" not in html and "Buikpijn" not in html
    assert '<span class="nav-badge">1' in html
    home = teacher.get("/").get_data(as_text=True)
    assert "Afwezig vandaag" in home and "Sem Jansen" in home
    other = login_as(OTHER_TEACHER).get("/afwezigheid").get_data(as_text=True)
    assert "Lotte Bakker" in other and "Buikpijn" in other and "Sem Jansen" not in other


@pytest.mark.parametrize("htmx", [False, True])
def test_teacher_marks_seen_and_both_guardians_see_it(app, parent, teacher, login_as, htmx):
    second = login_as(_second_guardian(app))
    _tap(parent, app)
    [report] = _reports(app)
    token = csrf_token_from(teacher.get("/afwezigheid").get_data(as_text=True))
    response = teacher.post(f"/afwezigheid/{report.id}/gezien", headers=HTMX if htmx else {},
                            data={"csrf_token": token, "next": "/afwezigheid"})
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert html.strip().startswith(f'<li id="absence-report-{report.id}"')
        assert "Gezien door juf Sanne" in html
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/afwezigheid"
    assert '<span class="nav-badge">' not in teacher.get("/afwezigheid").get_data(as_text=True)
    for guardian in (parent, second):
        assert "Gezien door juf Sanne" in guardian.get("/").get_data(as_text=True)
        assert "Gezien door juf Sanne" in guardian.get(f"/afwezigheid/{report.id}").get_data(
            as_text=True)


def test_teacher_may_say_the_child_is_back(app, teacher):
    report_id = _report_directly(app, "Sem", _today(app) - timedelta(days=3))
    page = teacher.get(f"/afwezigheid/{report_id}").get_data(as_text=True)
    assert "Weer op school" in page
    assert _action(teacher, f"/afwezigheid/{report_id}/weer-beter",
                   f"/afwezigheid/{report_id}").status_code == 302
    assert _reports(app)[0].ends_on is not None


# --- privacy ----------------------------------------------------------------------------

def _absence_urls(report_id, leave_id):
    """Every absence URL that names a report or a leave request, with its method."""
    return [("GET", f"/afwezigheid/{report_id}"), ("GET", f"/afwezigheid/{report_id}/wijzigen"),
            ("POST", f"/afwezigheid/{report_id}/wijzigen"),
            ("POST", f"/afwezigheid/{report_id}/intrekken"),
            ("POST", f"/afwezigheid/{report_id}/weer-beter"),
            ("POST", f"/afwezigheid/{report_id}/gezien"),
            ("GET", f"/afwezigheid/verlof/{leave_id}"),
            ("POST", f"/afwezigheid/verlof/{leave_id}/besluit"),
            ("POST", f"/afwezigheid/verlof/{leave_id}/intrekken")]


def _secret_report_and_leave(app):
    """A report for Sem (tomorrow) and a leave request, with reasons nobody else may read."""
    report_id = _report_directly(app, "Sem", _today(app) + timedelta(days=1))

    def ask():
        pupil = Pupil.get(Pupil.first_name == "Sem")
        return service.request_leave(pupil, User.by_email(PARENT), "v" * 20,
                                      _today(app) + timedelta(days=10),
                                      _today(app) + timedelta(days=10), "Geheime bruiloft")[0].id
    return report_id, _read(app, ask)


@pytest.mark.parametrize("who", ["ouder.bakker@example.org", OTHER_TEACHER,
                                 "juf.marloes@example.org"])
def test_others_get_404_everywhere_and_see_no_reasons(app, login_as, who):
    report_id, leave_id = _secret_report_and_leave(app)
    client = login_as(who)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for method, url in _absence_urls(report_id, leave_id) + [
            ("GET", f"/afwezigheid/{report_id + 1000}"), ("GET", "/afwezigheid/99999999999")]:
        response = client.open(url, method=method, data={"csrf_token": token}, headers=HTMX)
        assert response.status_code in (403, 404), (method, url, response.status_code)
    for url in ("/", "/afwezigheid", "/afwezigheid/verlof", NEW, "/afwezigheid/verlof/aanvragen"):
        html = client.get(url).get_data(as_text=True)
        assert SECRET not in html and "Geheime bruiloft" not in html and "Sem Jansen" not in html
    [report] = _reports(app)
    assert report.seen_at is None and report.ends_on is None


def test_logged_out_visitors_are_sent_to_login(app, client):
    report_id, leave_id = _secret_report_and_leave(app)
    for method, url in _absence_urls(report_id, leave_id) + [("GET", "/afwezigheid"),
                                                             ("GET", NEW), ("POST", QUICK)]:
        response = client.open(url, method=method)
        assert response.status_code in (302, 400, 401), (url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")
        assert SECRET not in response.get_data(as_text=True)


def test_teachers_and_office_cannot_report_or_ask_for_leave(teacher, admin):
    for client in (teacher, admin):
        for url in (NEW, "/afwezigheid/verlof/aanvragen"):
            assert client.get(url).status_code == 403


# --- the office -------------------------------------------------------------------------

def test_office_sees_the_whole_school_per_day_with_late_reports(app, admin, parent):
    _tap(parent, app)
    lotte = _report_directly(app, "Lotte", _today(app), note="Buikpijn")
    _read(app, lambda: AbsenceReport.update(late=True).where(AbsenceReport.id == lotte).execute())
    response = admin.get("/afwezigheid")
    assert response.status_code == 302 and response.headers["Location"] == "/afwezigheid/dag"
    html = admin.get("/afwezigheid/dag").get_data(as_text=True)
    assert "Sem Jansen" in html and "Lotte Bakker" in html and "te laat" in html
    assert '<dt>Afwezig</dt><dd>2</dd>' in html and "Groep 5" in html
    yesterday = (_today(app) - timedelta(days=1)).isoformat()
    assert "Niemand is op deze dag afwezig gemeld." in admin.get(
        f"/afwezigheid/dag?datum={yesterday}").get_data(as_text=True)
    assert admin.get("/afwezigheid/dag?datum=onzin").status_code == 200
    home = admin.get("/").get_data(as_text=True)
    assert "Afwezigheid vandaag" in home and "<dd>2</dd>" in home


def test_csv_export_for_the_register(app, admin):
    today = _today(app)
    monday = today - timedelta(days=today.weekday() + 7)  # a whole week in the past
    _read(app, lambda: _store_for_export(monday))
    response = admin.get(f"/afwezigheid/export.csv?van={monday}&tot={monday + timedelta(days=6)}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffDatum;Groep;Leerlingnummer;Leerling;Soort;")
    lines = text.strip().splitlines()[1:]
    assert len(lines) == 5 + 1  # Sem Monday..Friday (no weekend), Lotte one day
    assert lines[0].startswith(f"{monday};Groep 1/2A;RB-1001;Sem Jansen;Ziek;;;")
    assert ";'=HYPERLINK(1);" in text  # a formula is shown as text, not run
    assert SECRET not in text  # notes stay in the portal


def _store_for_export(monday):
    """Sem ill all week (open-ended until he was better on Sunday), Lotte one odd day."""
    sem, lotte = (Pupil.get(Pupil.first_name == n) for n in ("Sem", "Lotte"))
    parent = User.by_email(PARENT)
    with write_transaction():
        AbsenceReport.insert_many([
            {"pupil": sem, "reported_by": parent, "reason": "sick", "starts_on": monday,
             "ends_on": monday + timedelta(days=6), "note": SECRET, "submission_key": "e" * 20},
            {"pupil": lotte, "reported_by": parent, "reason": "other",
             "reason_text": "=HYPERLINK(1)", "starts_on": monday + timedelta(days=2),
             "ends_on": monday + timedelta(days=2), "submission_key": "f" * 20},
        ]).execute()


@pytest.mark.parametrize("query", ["", "?van=2026-01-02", "?van=2026-02-01&tot=2026-01-01",
                                   "?van=2024-01-01&tot=2026-01-01", "?van=x&tot=y"])
def test_bad_export_periods_get_a_message(admin, query):
    response = admin.get(f"/afwezigheid/export.csv{query}")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert 'role="alert"' in response.get_data(as_text=True)


def test_only_the_office_sees_the_day_list_and_export(parent, teacher):
    for client in (parent, teacher):
        assert client.get("/afwezigheid/dag").status_code == 403
        assert client.get("/afwezigheid/export.csv?van=2026-01-01&tot=2026-01-02").status_code \
            == 403


# --- light and bounded ------------------------------------------------------------------

def _report_many(app, count, offset=0):
    """Report `count` pupils of every group sick today (with notes)."""
    def store():
        pupils = list(Pupil.select().order_by(Pupil.id).offset(offset).limit(count))
        parent = User.by_email(PARENT)
        with write_transaction():
            AbsenceReport.insert_many([
                {"pupil": p, "reported_by": parent, "reason": "sick", "starts_on": _today(app),
                 "note": "Koorts " * 30, "submission_key": f"many-{p.id}".ljust(20, "x")}
                for p in pupils]).execute()
    _read(app, store)


def test_lists_run_a_bounded_number_of_queries(app, admin, teacher, parent, monkeypatch):
    _tap(parent, app)
    urls = {teacher: ["/afwezigheid", "/"], admin: ["/afwezigheid/dag", "/"],
            parent: ["/", "/afwezigheid"]}
    few = {(id(c), u): statements_for(c, u) for c, us in urls.items() for u in us}
    _report_many(app, 40, offset=1)
    many = {(id(c), u): statements_for(c, u) for c, us in urls.items() for u in us}
    print(f"statements with 1 report: {sorted(few.values())}, with 41: {sorted(many.values())}")
    assert many == few


def test_pages_stay_light(app, parent, teacher, admin):
    from tests.support.weight import LIMIT, first_load_bytes

    _report_many(app, 60)
    for client, url in ((parent, "/"), (parent, NEW), (parent, "/afwezigheid"),
                        (parent, "/afwezigheid/verlof/aanvragen"), (teacher, "/afwezigheid"),
                        (admin, "/afwezigheid/dag"), (admin, "/afwezigheid/verlof")):
        size = first_load_bytes(client, url)
        print(f"{url}: {size} bytes gzip")
        assert size <= LIMIT


# --- leave requests ---------------------------------------------------------------------

LEAVE_NEW = "/afwezigheid/verlof/aanvragen"


def _ask_leave(client, app, first_name="Sem", html=None, **changes):
    """Fill in the leave form (in ten days, one day, a wedding) and send it."""
    html = html or client.get(LEAVE_NEW).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    day = (_today(app) + timedelta(days=10)).isoformat()
    data = {"csrf_token": csrf_token_from(html), "submission_key": key,
            "pupil": _pupil_id(app, first_name), "starts_on": day, "ends_on": day,
            "reason": "De bruiloft van zijn tante"}
    data.update(changes)
    return client.post(LEAVE_NEW, data={k: v for k, v in data.items() if v is not None})


def _leave_requests(app):
    """Every stored leave request."""
    from schoolportal.absence.models import LeaveRequest

    return _read(app, lambda: list(LeaveRequest.select().order_by(LeaveRequest.id)))


def test_leave_form_full_page_and_fragment(parent):
    html = parent.get(LEAVE_NEW).get_data(as_text=True)
    assert "Verlof aanvragen" in html and "Eerste verlofdag" in html and "<html" in html
    fragment = parent.get(LEAVE_NEW, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="absence-leave-form"' in fragment


def test_parent_asks_for_leave_and_the_director_decides(app, parent, admin, teacher,
                                                        smtp_server):
    form_html = parent.get(LEAVE_NEW).get_data(as_text=True)
    response = _ask_leave(parent, app, html=form_html)
    [leave] = _leave_requests(app)
    assert response.status_code == 302 and response.headers["Location"] == \
        f"/afwezigheid/verlof/{leave.id}"
    assert _ask_leave(parent, app, html=form_html).headers["Location"] == \
        response.headers["Location"]  # sent twice, stored once
    assert len(_leave_requests(app)) == 1
    page = parent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je aanvraag is naar de directie gestuurd." in page
    assert "Wacht op het besluit van de directie." in page

    queue = admin.get("/afwezigheid/verlof").get_data(as_text=True)
    assert "De bruiloft van zijn tante" in queue and '<span class="nav-badge">1' in queue
    detail_url = f"/afwezigheid/verlof/{leave.id}"
    token = csrf_token_from(admin.get(detail_url).get_data(as_text=True))
    refused = admin.post(f"{detail_url}/besluit", data={"csrf_token": token,
                                                        "decision": "reject", "note": " "})
    assert refused.status_code == 422
    assert "Geef de reden; de ouders krijgen die te zien." in refused.get_data(as_text=True)
    decided = admin.post(f"{detail_url}/besluit", data={
        "csrf_token": token, "decision": "approve", "note": "Veel plezier!"})
    assert decided.status_code == 302
    again = admin.post(f"{detail_url}/besluit", data={
        "csrf_token": token, "decision": "reject", "note": "Toch niet"})
    assert "Over deze verlofaanvraag is al besloten" in admin.get(
        again.headers["Location"]).get_data(as_text=True)
    assert _leave_requests(app)[0].status == "approved"

    run_worker(app)
    for address in (PARENT, TEACHER):
        [mail] = smtp_server.to(address)
        assert mail["Subject"] == "Verlofaanvraag voor Sem Jansen: goedgekeurd"
        text = mail.get_body(("plain",)).get_content()
        assert "De directie heeft het verlof voor Sem Jansen (Groep 1/2A) goedgekeurd" in text
        assert "Veel plezier!" in text
    assert "Goedgekeurd door Marieke Hoekstra (directie)" in parent.get(detail_url).get_data(
        as_text=True)
    later = teacher.get("/afwezigheid").get_data(as_text=True)
    assert "Verlof goedgekeurd door de directie" in later
    assert "De bruiloft van zijn tante" in teacher.get("/afwezigheid/verlof").get_data(
        as_text=True)
    assert "Besluiten" not in teacher.get("/afwezigheid/verlof").get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_on": "{yesterday_of_start}"}, "De laatste dag ligt vóór de eerste dag."),
    ({"starts_on": "{years_away}", "ends_on": "{years_away}"}, "Kies een dag binnen een jaar"),
    ({"starts_on": "{yesterday}"}, "Verlof vraag je vooraf aan"),
    ({"ends_on": "{far_end}"}, "Eén aanvraag kan hoogstens 62 dagen beslaan."),
    ({"reason": "x" * 20_000}, "Gebruik hoogstens 1000 tekens."),
    ({"reason": "   "}, "Schrijf waarom je verlof aanvraagt."),
    ({"pupil": "{lotte}"}, "Kies een van je kinderen."),
    ({"submission_key": None}, "Dit formulier is verlopen."),
])
def test_bad_leave_input_changes_nothing(app, parent, changes, message):
    today = _today(app)
    start = today + timedelta(days=10)
    values = {"yesterday": today - timedelta(days=1), "yesterday_of_start": start - timedelta(1),
              "years_away": date(today.year + 3, 1, 1), "far_end": start + timedelta(days=90),
              "lotte": _pupil_id(app, "Lotte")}
    changes = {k: v.format(**values) if isinstance(v, str) else v for k, v in changes.items()}
    response = _ask_leave(parent, app, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _leave_requests(app) == [] and _mails(app) == []


def test_parent_withdraws_leave_only_while_it_is_pending(app, parent, admin):
    _ask_leave(parent, app)
    _ask_leave(parent, app, starts_on=(_today(app) + timedelta(days=20)).isoformat(),
               ends_on=(_today(app) + timedelta(days=20)).isoformat())
    first, second = _leave_requests(app)
    _read(app, lambda: service.decide_leave(second, User.by_email(ADMIN), False, "Nee"))
    url = f"/afwezigheid/verlof/{first.id}"
    assert "Aanvraag intrekken" in parent.get(url).get_data(as_text=True)
    assert _action(parent, f"{url}/intrekken", url).status_code == 302
    refused = _action(parent, f"/afwezigheid/verlof/{second.id}/intrekken",
                      f"/afwezigheid/verlof/{second.id}")
    assert "al besloten" in parent.get(refused.headers["Location"]).get_data(as_text=True)
    assert [leave.id for leave in _leave_requests(app)] == [second.id]
    assert admin.post(f"{url}/intrekken", data={"csrf_token": csrf_token_from(
        admin.get("/").get_data(as_text=True))}).status_code == 403


def test_group_page_partial_shows_who_is_away_to_those_allowed(app, parent):
    """The partial the group page can include (spaces is not this area's file)."""
    from flask import render_template
    from flask_login import login_user

    _tap(parent, app)
    _report_directly(app, "Yasmin", _today(app), note="Oorpijn")

    def shown_to(email):
        with app.test_request_context("/"), db.connection_context():
            group = Pupil.get(Pupil.first_name == "Sem").group
            login_user(User.by_email(email))
            return render_template("partials/absence/group_today.html", group=group)

    teacher_sees = shown_to(TEACHER)
    assert "Afwezig vandaag" in teacher_sees
    assert "Sem Jansen" in teacher_sees and "Yasmin El Mansouri" in teacher_sees
    parent_sees = shown_to(PARENT)
    assert "Sem Jansen" in parent_sees and "Yasmin" not in parent_sees
    assert "Niemand is vandaag afwezig gemeld." in shown_to(OTHER_TEACHER)
