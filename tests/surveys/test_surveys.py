"""Survey pages: building and publishing (staff), answering on a phone (parents), results with
charts, CSV and mailing a selection, who may see what, bad input, and the reminder."""

import csv
import gzip
import io
import re
from datetime import timedelta

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import OutboxMail, User, utcnow
from schoolportal.surveys import answers
from schoolportal.surveys.models import (
    PER_CHILD,
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
)
from tests.support.web import PARENT, TWO_GROUP_PARENT, csrf_token_from, run_worker
from tests.surveys.test_survey_answers import good_form, make_survey


def _in_db(app, work):
    """Run work() with a connection and return its result."""
    with app.app_context(), db.connection_context():
        return work()


def _survey(app, **options):
    """A survey made directly in the database (see make_survey)."""
    return _in_db(app, lambda: make_survey(**options))


def _counts(app):
    """How many respondents, responses and answers are stored."""
    return _in_db(app, lambda: (SurveyRespondent.select().count(),
                                SurveyResponse.select().count(), SurveyAnswer.select().count()))


def _text_answer(app):
    """The one stored answer to the text question."""
    return _in_db(app, lambda: SurveyAnswer.get(SurveyAnswer.text.is_null(False)).text)


def _answer(client, survey, form=None, url=None, **extra):
    """Post answers with the token from the answer page."""
    url = url or f"/surveys/{survey.id}"
    data = form or good_form(survey)
    data = data.copy()
    data["csrf_token"] = csrf_token_from(client.get(url).get_data(as_text=True))
    for key, value in extra.items():
        data[key] = value
    return client.post(f"/surveys/{survey.id}", data=data)


def _token(client, url):
    """The CSRF token of the form on a page."""
    return csrf_token_from(client.get(url).get_data(as_text=True))


# --- Building a survey -----------------------------------------------------------------

def test_teacher_builds_publishes_and_parents_find_it(app, teacher, parent, groups):
    page = teacher.get("/surveys/new").get_data(as_text=True)
    assert "Nieuwe enquête" in page and "Groep 1/2A" in page and "Groep 5" not in page
    assert "De hele school" not in page  # only admins ask the whole school
    response = teacher.post("/surveys/new", data={
        "csrf_token": csrf_token_from(page), "title": "Schoolreisje naar Artis",
        "audience": str(groups["Groep 1/2A"].id), "anonymous": "named", "per": "child",
        "closes_at": (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    edit_url = response.headers["Location"]
    survey_id = int(re.search(r"/surveys/(\d+)/edit", edit_url).group(1))
    token = _token(teacher, edit_url)
    for kind, text, options in [("yes_no", "Mag je kind mee?", ""),
                                ("single", "Hoe kom je?", "Lopend\nFiets\n"),
                                ("multiple", "Welke dagen?", "Ma\nDi\nWo"),
                                ("text", "Opmerkingen", ""), ("number", "Hoeveel?", "")]:
        added = teacher.post(f"/surveys/{survey_id}/questions", data={
            "csrf_token": token, "kind": kind, "text": text, "options": options,
            "required": "y"})
        assert added.status_code == 302, added.get_data(as_text=True)
    assert parent.get(f"/surveys/{survey_id}").status_code == 404  # a draft is not for parents
    published = teacher.post(f"/surveys/{survey_id}/publish", data={"csrf_token": token})
    assert published.headers["Location"].endswith(f"/surveys/{survey_id}/results")
    html = parent.get("/surveys").get_data(as_text=True)
    assert "Schoolreisje naar Artis" in html and "Nog invullen" in html
    assert "Schoolreisje naar Artis" in parent.get("/").get_data(as_text=True)  # home panel
    nav = re.search(r'<nav class="site-nav".*?</nav>', parent.get("/").get_data(as_text=True), re.S)
    assert '<span class="nav-badge">1' in nav.group(0)
    form = parent.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "Je antwoord voor Sem" in form and 'type="checkbox"' in form and "Fiets" in form
    survey = _in_db(app, lambda: Survey.get_by_id(survey_id))
    assert survey.per == PER_CHILD and not survey.anonymous and survey.is_published
    assert _in_db(app, lambda: [q.kind for q in SurveyQuestion.select().order_by(
        SurveyQuestion.position)]) == ["yes_no", "single", "multiple", "text", "number"]


def test_the_question_list_is_an_htmx_fragment(app, teacher):
    survey = _survey(app, published=False, questions=[])
    url = f"/surveys/{survey.id}/edit"
    data = {"csrf_token": _token(teacher, url), "kind": "yes_no", "text": "Kom je?",
            "required": "y"}
    response = teacher.post(f"/surveys/{survey.id}/questions", data=data,
                            headers={"HX-Request": "true"})
    assert response.status_code == 302
    fragment = teacher.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and fragment.strip().startswith('<div id="surveys-questions"')
    assert "Kom je?" in fragment and "De vraag is toegevoegd." in fragment
    full = teacher.get(url).get_data(as_text=True)
    assert "<html" in full and "Kom je?" in full
    refused = teacher.post(f"/surveys/{survey.id}/questions", headers={"HX-Request": "true"},
                           data={**data, "kind": "single", "options": "Alleen één"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<html" not in body
    assert "Geef minstens twee mogelijkheden" in body
    assert _in_db(app, SurveyQuestion.select().count) == 1


def test_removing_a_question_plain_and_with_htmx(app, teacher):
    survey = _survey(app, published=False)
    url = f"/surveys/{survey.id}/edit"
    first, second = survey.qs[0], survey.qs[1]
    plain = teacher.post(f"/surveys/{survey.id}/questions/{first.id}/delete",
                         data={"csrf_token": _token(teacher, url)})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(url)
    htmx = teacher.post(f"/surveys/{survey.id}/questions/{second.id}/delete",
                        data={"csrf_token": _token(teacher, url)}, headers={"HX-Request": "true"})
    assert htmx.status_code == 302
    fragment = teacher.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "De vraag is verwijderd." in fragment
    assert first.text not in fragment and second.text not in fragment
    assert _in_db(app, SurveyQuestion.select().count) == 3
    other = _survey(app, published=False, title="Ander")
    guessed = teacher.post(f"/surveys/{survey.id}/questions/{other.qs[0].id}/delete",
                           data={"csrf_token": _token(teacher, url)})
    assert guessed.status_code == 404 and _in_db(app, SurveyQuestion.select().count) == 8
    assert teacher.post(f"/surveys/{survey.id}/questions/{survey.qs[2].id}/delete"
                        ).status_code == 400  # no CSRF token


@pytest.mark.parametrize("changes", [
    {"text": ""}, {"text": "x" * 10_000}, {"kind": "essay"}, {"text": "Kom\x00je?"},
    {"kind": "single", "options": "Ja"}, {"kind": "multiple", "options": "Ja\nja"},
    {"kind": "single", "options": "\n".join(str(n) for n in range(21))},
    {"kind": "single", "options": "Ja\n" + "x" * 300}, {"csrf_token": "forged"},
])
def test_hostile_question_input_adds_nothing(app, teacher, changes):
    survey = _survey(app, published=False, questions=[])
    data = {"csrf_token": _token(teacher, f"/surveys/{survey.id}/edit"), "kind": "text",
            "text": "Opmerkingen", **changes}
    response = teacher.post(f"/surveys/{survey.id}/questions", data=data)
    assert response.status_code in (400, 422)
    assert _in_db(app, SurveyQuestion.select().count) == 0


def test_unicode_answers_are_kept(app, parent):
    survey = _survey(app)
    assert _answer(parent, survey, good_form(survey, text="Zoë 😀 שלום")).status_code == 302
    assert _text_answer(app) == "Zoë 😀 שלום"
    assert "Zoë 😀 שלום" in parent.get(f"/surveys/{survey.id}").get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Vul een titel in."),
    ({"title": "x" * 10_000}, "Gebruik hoogstens 200 tekens."),
    ({"audience": "school"}, "is een ongeldige keuze"),
    ({"audience": "groep5"}, "is een ongeldige keuze"),
    ({"closes_at": "2001-01-01T10:00"}, "Kies een moment in de toekomst."),
    ({"closes_at": "morgen"}, "Ongeldige datum/tijd."),
    ({"per": "class"}, "Ongeldige keuze."),
])
def test_bad_survey_settings_are_refused(app, teacher, groups, changes, message):
    data = {"csrf_token": _token(teacher, "/surveys/new"), "title": "Enquête",
            "audience": str(groups["Groep 1/2A"].id), "anonymous": "named", "per": "family",
            "closes_at": (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"), **changes}
    if data["audience"] == "groep5":
        data["audience"] = str(groups["Groep 5"].id)  # not juf Sanne's group
    response = teacher.post("/surveys/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _in_db(app, Survey.select().count) == 0


def test_admin_asks_the_whole_school(app, admin, parent, other_parent):
    response = admin.post("/surveys/new", data={
        "csrf_token": _token(admin, "/surveys/new"), "title": "Ouderavond", "audience": "school",
        "anonymous": "anonymous", "per": "family",
        "closes_at": (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    survey = _in_db(app, lambda: Survey.get())
    assert survey.school_wide and survey.anonymous
    assert _in_db(app, SurveyGroup.select().count) == 0


def test_publishing_needs_a_question_and_fixes_the_questions(app, teacher):
    survey = _survey(app, published=False, questions=[])
    url = f"/surveys/{survey.id}/edit"
    response = teacher.post(f"/surveys/{survey.id}/publish",
                            data={"csrf_token": _token(teacher, url)})
    assert response.status_code == 422 and "Voeg minstens één vraag toe" in response.get_data(
        as_text=True)
    published = _survey(app)
    token = _token(teacher, f"/surveys/{published.id}/edit")
    question = published.qs[0].id
    assert teacher.post(f"/surveys/{published.id}/questions/{question}/delete",
                        data={"csrf_token": token}).status_code == 404
    assert teacher.post(f"/surveys/{published.id}/delete", data={"csrf_token": token}
                        ).status_code == 404
    settings = teacher.get(f"/surveys/{published.id}/edit").get_data(as_text=True)
    assert 'name="anonymous"' not in settings and 'name="audience"' not in settings


# --- Answering ------------------------------------------------------------------------

def test_parent_answers_and_changes_until_the_deadline(app, parent):
    survey = _survey(app)
    response = _answer(parent, survey)
    assert response.status_code == 302
    page = parent.get(response.headers["Location"]).get_data(as_text=True)
    assert "je antwoord is opgeslagen" in page and "Wijzig mijn antwoord" in page
    assert 'value="Tot dan!"' in page
    changed = _answer(parent, survey, good_form(survey, yes=False, text="Toch niet"))
    assert changed.status_code == 302
    assert _counts(app) == (1, 1, 6)
    assert _text_answer(app) == "Toch niet"
    _in_db(app, lambda: Survey.update(closes_at=utcnow() - timedelta(seconds=1)).execute())
    closed = parent.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Deze enquête is gesloten" in closed and 'id="surveys-answer"' not in closed
    assert 'value="Toch niet" disabled' in closed  # the given answer, read only


@pytest.mark.parametrize("case", [
    "another_surveys_questions", "missing_required", "text_20_kb", "after_the_deadline",
    "option_of_another_question", "child_of_someone_else",
])
def test_bad_answers_change_nothing_and_say_why(app, parent, case):
    survey = _survey(app, per=PER_CHILD)
    other = _survey(app, title="Ander")
    assert _answer(parent, survey, good_form(survey, text="Eerste antwoord")).status_code == 302
    before = _in_db(app, lambda: [tuple(r.values()) for r in SurveyAnswer.select().dicts()])
    form, extra = good_form(survey, yes=False), {}
    yes_no, single, _multiple, text_q, _number = survey.qs
    if case == "another_surveys_questions":
        form = good_form(other)
    elif case == "missing_required":
        form.pop(f"q{yes_no.id}")
    elif case == "text_20_kb":
        form[f"q{text_q.id}"] = "x" * 20_000
    elif case == "after_the_deadline":
        _in_db(app, lambda: Survey.update(closes_at=utcnow() - timedelta(seconds=1)).where(
            Survey.id == survey.id).execute())
    elif case == "option_of_another_question":
        form[f"q{single.id}"] = str(other.qs[1].choices[0].id)
    elif case == "child_of_someone_else":
        extra["child"] = "1"  # not Sem: the answer stays with Sem, the only child addressed
    response = _answer(parent, survey, form, **extra)
    body = response.get_data(as_text=True)
    messages = {
        "another_surveys_questions": "Deze antwoorden horen niet bij deze enquête",
        "missing_required": "Beantwoord deze vraag.",
        "text_20_kb": "Gebruik hoogstens 1000 tekens.",
        "after_the_deadline": "Deze enquête is gesloten",
        "option_of_another_question": "Kies een van de mogelijkheden.",
    }
    if case == "child_of_someone_else":
        assert response.status_code == 302
        assert _in_db(app, lambda: SurveyResponse.get().pupil.first_name) == "Sem"
        return
    assert response.status_code == 422 and messages[case] in body
    assert _in_db(app, lambda: [tuple(r.values()) for r in SurveyAnswer.select().dicts()]) == before
    assert _counts(app) == (1, 1, 6)


def test_answering_without_csrf_changes_nothing(app, parent):
    survey = _survey(app)
    data = good_form(survey)
    assert parent.post(f"/surveys/{survey.id}", data=data).status_code == 400
    data["csrf_token"] = "forged"
    assert parent.post(f"/surveys/{survey.id}", data=data).status_code == 400
    assert _counts(app) == (0, 0, 0)


def test_anonymous_answer_changes_only_in_the_same_browser(app, parent, login_as):
    survey = _survey(app, anonymous=True)
    response = _answer(parent, survey, good_form(survey, text="Eerlijk gezegd"))
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and f"Path=/surveys/{survey.id}" in cookie
    assert "Eerlijk gezegd" not in cookie
    assert _answer(parent, survey, good_form(survey, text="Toch anders")).status_code == 302
    assert _counts(app) == (1, 1, 6)
    assert _text_answer(app) == "Toch anders"
    elsewhere = login_as(PARENT)  # the same parent in another browser
    page = elsewhere.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "kan een antwoord alleen worden gewijzigd in de browser" in page
    assert "Toch anders" not in page and 'id="surveys-answer"' not in page
    token = csrf_token_from(elsewhere.get("/surveys").get_data(as_text=True))
    data = good_form(survey, text="Overschreven")
    data["csrf_token"] = token
    refused = elsewhere.post(f"/surveys/{survey.id}", data=data)
    assert refused.status_code == 422
    assert _text_answer(app) == "Toch anders"
    # The named list does not exist; the stored response names nobody.
    assert _in_db(app, lambda: SurveyResponse.select().where(
        SurveyResponse.account.is_null(False) | SurveyResponse.unit.is_null(False)).count()) == 0


def test_a_parent_with_two_children_answers_for_each(app, login_as):
    survey = _survey(app, groups=None, per=PER_CHILD)
    client = login_as(TWO_GROUP_PARENT)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Adam" in page and "Yasmin" in page
    children = dict(re.findall(r'child=(\d+)"[^>]*>(\w+)</a>', page))
    for child_id in children:
        url = f"/surveys/{survey.id}?child={child_id}"
        assert _answer(client, survey, url=url, child=child_id).status_code == 302
    assert _in_db(app, lambda: sorted(r.pupil.first_name for r in SurveyResponse.select())
                  ) == ["Adam", "Yasmin"]
    assert "Nog invullen" not in client.get("/surveys").get_data(as_text=True)


# --- Who may see what -----------------------------------------------------------------

def test_parents_of_other_groups_cannot_see_or_answer(app, other_parent, parent, client, login_as):
    survey = _survey(app, groups=("Groep 1/2A",))
    assert other_parent.get(f"/surveys/{survey.id}").status_code == 404
    assert "Schoolreisje" not in other_parent.get("/surveys").get_data(as_text=True)
    data = good_form(survey)
    data["csrf_token"] = csrf_token_from(other_parent.get("/surveys").get_data(as_text=True))
    assert other_parent.post(f"/surveys/{survey.id}", data=data).status_code == 404
    for url in ("results", "results.csv", "edit"):
        assert other_parent.get(f"/surveys/{survey.id}/{url}").status_code == 403
        assert parent.get(f"/surveys/{survey.id}/{url}").status_code == 403
    for guess in ("/surveys/999999", "/surveys/99999999999999999999", "/surveys/999999/results"):
        assert other_parent.get(guess).status_code in (403, 404)
    other_teacher = login_as("meester.ahmed@example.org")
    for url in ("", "/results", "/results.csv", "/edit"):
        assert other_teacher.get(f"/surveys/{survey.id}{url}").status_code == 404
    assert client.get(f"/surveys/{survey.id}").headers["Location"].startswith("/login")
    assert _counts(app) == (0, 0, 0)


# --- Results ------------------------------------------------------------------------

def _others(app, survey, count):
    """Parents of the survey's group, other than the demo families, who have not answered."""
    return _in_db(app, lambda: [
        p.email for p, _kids in answers.missing_parents(survey)
        if p.email not in (PARENT, TWO_GROUP_PARENT)][:count])


def _answers_from_three(app, login_as, survey):
    """Jansen says yes, El Mansouri no, and one more parent of Groep 1/2A yes."""
    [third] = _others(app, survey, 1)
    for email, yes in ((PARENT, True), (TWO_GROUP_PARENT, False), (third, True)):
        assert _answer(login_as(email), survey, good_form(survey, yes=yes, text=f"=cmd {email}")
                       ).status_code == 302
    return third


def test_staff_lists_count_each_surveys_answers(app, teacher, login_as):
    """The staff list and the home card show per survey how many answered (a column of the
    survey statement): three for the answered one, none for another."""
    survey = _survey(app)
    _survey(app, title="Nog niemand")
    _answers_from_three(app, login_as, survey)
    listing = teacher.get("/surveys").get_data(as_text=True)
    assert "3 antwoorden" in listing and "0 antwoorden" in listing
    assert "3 antwoorden" in teacher.get("/").get_data(as_text=True)


def test_results_show_counts_percentages_and_server_side_charts(app, teacher, login_as):
    survey = _survey(app)
    third = _answers_from_three(app, login_as, survey)
    html = teacher.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert re.search(r"3 van \d+ ingevuld", html)
    assert re.search(r"<th scope=\"row\">Ja</th><td>2</td><td>67%</td>", html)
    assert re.search(r"<th scope=\"row\">Nee</th><td>1</td><td>33%</td>", html)
    assert '<rect class="surveys-bar__fill" width="67" height="10"/>' in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    assert "Eva Jansen" in html and "Nadia El Mansouri" in html  # the named list
    assert "Totaal" in html and "<dd>9</dd>" in html  # 3 people x 3
    assert third


def test_anonymous_results_have_no_names(app, teacher, login_as):
    survey = _survey(app, anonymous=True)
    _answers_from_three(app, login_as, survey)
    html = teacher.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Eva Jansen" not in html and "Wie antwoordde wat" not in html
    assert "Stuur een bericht" not in html
    exported = teacher.get(f"/surveys/{survey.id}/results.csv").get_data(as_text=True)
    assert "Eva Jansen" not in exported and "Ouder/verzorger" not in exported
    assert teacher.get(f"/surveys/{survey.id}/message?question={survey.qs[0].id}&choice=yes"
                       ).status_code == 404


def test_csv_export_lists_who_answered_what(app, teacher, login_as):
    survey = _survey(app)
    _answers_from_three(app, login_as, survey)
    response = teacher.get(f"/surveys/{survey.id}/results.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers[
        "Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Ouder/verzorger", "Kind", "Groep", "Beantwoord op"]
    assert rows[0][4:] == [q.text for q in survey.qs]
    jansen = next(row for row in rows if row[0] == "Eva Jansen")
    assert jansen[4:7] == ["Ja", "Fiets", "Maandag, Woensdag"]
    assert jansen[7].startswith("'=cmd")  # a spreadsheet shows it, does not run it


def test_mail_everyone_who_answered_yes(app, teacher, login_as, smtp_server):
    survey = _survey(app)
    third = _answers_from_three(app, login_as, survey)
    url = f"/surveys/{survey.id}/message?question={survey.qs[0].id}&choice=yes"
    page = teacher.get(url).get_data(as_text=True)
    assert "Deze e-mail gaat naar 2 ouders" in page and "Eva Jansen" in page
    assert "Nadia El Mansouri" not in page
    response = teacher.post(f"/surveys/{survey.id}/message", data={
        "csrf_token": csrf_token_from(page), "question": str(survey.qs[0].id), "choice": "yes",
        "subject": "Vertrek om 8.30 uur", "body": "Graag een lunchpakket mee."})
    assert response.status_code == 302
    run_worker(app)
    for email in (PARENT, third):
        [mail] = smtp_server.to(email)
        assert mail["Subject"] == "Vertrek om 8.30 uur"
        assert "Graag een lunchpakket mee." in mail.get_body(("plain",)).get_content()
    assert smtp_server.to(TWO_GROUP_PARENT) == []
    for bad in (f"question={survey.qs[0].id}&choice=maybe", "question=999999&choice=yes",
                f"question={survey.qs[3].id}&choice=yes"):
        assert teacher.get(f"/surveys/{survey.id}/message?{bad}").status_code == 404
    empty = teacher.post(f"/surveys/{survey.id}/message", data={
        "csrf_token": csrf_token_from(page), "question": str(survey.qs[0].id), "choice": "yes",
        "subject": "", "body": ""})
    assert empty.status_code == 422
    assert _in_db(app, lambda: OutboxMail.select().where(
        OutboxMail.template == "surveys/message").count()) == 2


def test_parents_who_did_not_answer_are_reminded_once(app, parent, smtp_server):
    survey = _survey(app, open_for=timedelta(days=1))
    assert _answer(parent, survey).status_code == 302
    _in_db(app, lambda: User.update(mail_notifications="never").where(
        User.email == TWO_GROUP_PARENT).execute())
    run_worker(app)
    assert smtp_server.to(PARENT) == [] and smtp_server.to(TWO_GROUP_PARENT) == []
    reminded = [m for m in smtp_server.messages if "Herinnering: Schoolreisje" in m["Subject"]]
    assert len(reminded) >= 10
    assert f"/surveys/{survey.id}" in reminded[0].get_body(("plain",)).get_content()
    assert _in_db(app, answers.remind_non_respondents) == 0  # once per survey
    _survey(app, open_for=timedelta(days=10), title="Later")
    assert _in_db(app, answers.remind_non_respondents) == 0  # not yet


# --- Light pages ----------------------------------------------------------------------

def _first_load(client, url):
    """Gzip size of the page plus the CSS and JS it links."""
    html = client.get(url).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return total


def test_pages_are_light_and_queries_do_not_grow(app, teacher, parent, login_as, caplog):
    survey = _survey(app)
    _answers_from_three(app, login_as, survey)
    for client, url in ((parent, "/surveys"), (parent, f"/surveys/{survey.id}"),
                        (teacher, "/surveys"), (teacher, f"/surveys/{survey.id}/results"),
                        (teacher, f"/surveys/{survey.id}/edit")):
        size = _first_load(client, url)
        print(f"{url}: {size} bytes gzip")
        assert size <= 40 * 1024

    def statements(client, url):
        caplog.clear()
        with caplog.at_level("DEBUG", logger="peewee"):
            assert client.get(url).status_code == 200
        return len([r for r in caplog.records if r.name == "peewee"])

    few = (statements(teacher, f"/surveys/{survey.id}/results"), statements(teacher, "/surveys"),
           statements(parent, "/surveys"))
    for n in range(4):
        _survey(app, title=f"Nog een {n}")
    _answers_from_three(app, login_as, _survey(app, title="Met antwoorden"))
    for email in _others(app, survey, 3):
        assert _answer(login_as(email), survey).status_code == 302
    many = (statements(teacher, f"/surveys/{survey.id}/results"),
            statements(teacher, "/surveys"), statements(parent, "/surveys"))
    print(f"statements (results, staff list, parent list): {few} -> {many}")
    assert many == few
