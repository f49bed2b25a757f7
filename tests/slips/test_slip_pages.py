"""The slip pages over HTTP: making one, answering per child, what the other guardian sees,
the staff overview (printable, CSV that is formula-safe), and isolation between groups."""

import csv
import io
from datetime import timedelta

from schoolportal.core.clock import school_today
from schoolportal.core.models import User, utcnow
from schoolportal.slips import answers
from schoolportal.slips.models import Slip, SlipAnswer
from tests.slips.support import answer_values, group_1_2a, make_slip, second_guardian, sem
from tests.support.web import PARENT, TEACHER, csrf_token_from


def _form(page_html, **fields):
    """The fields plus the CSRF token read from the page."""
    return {"csrf_token": csrf_token_from(page_html), **fields}


def test_a_teacher_makes_a_slip_and_the_parent_sees_it_to_fill_in(app, teacher, parent, ctx):
    page = teacher.get("/slips/new").get_data(as_text=True)
    group_id = ctx(lambda: group_1_2a().id)
    deadline = (school_today() + timedelta(days=7)).isoformat()
    response = teacher.post("/slips/new", data=_form(
        page, title="Kinderboerderij", description="Mee?", group=str(group_id),
        deadline=deadline, remind_days_before="2",
        **{"questions-0-kind": "yes_no", "questions-0-text": "Mag je kind mee?",
           "questions-0-required": "y",
           "questions-1-kind": "choice", "questions-1-text": "Rijden?",
           "questions-1-options": "Ja\nNee"}))
    assert response.status_code == 302
    slip = ctx(lambda: Slip.get(Slip.title == "Kinderboerderij"))
    assert ctx(lambda: [q.kind for q in answers.questions_of(slip)]) == ["yes_no", "choice"]
    home = parent.get("/").get_data(as_text=True)
    assert "Nog in te vullen" in home and "Kinderboerderij" in home
    assert "Kinderboerderij" in parent.get("/slips").get_data(as_text=True)


def test_a_slip_without_questions_or_for_another_group_is_refused(app, teacher, ctx, groups):
    page = teacher.get("/slips/new").get_data(as_text=True)
    deadline = (school_today() + timedelta(days=7)).isoformat()
    base = {"title": "Uitje", "deadline": deadline, "remind_days_before": "2"}
    empty = teacher.post("/slips/new", data=_form(page, group=str(groups["Groep 1/2A"].id),
                                                   **base))
    assert empty.status_code == 422
    assert "Stel minstens één vraag." in empty.get_data(as_text=True)
    other = teacher.post("/slips/new", data=_form(
        page, group=str(groups["Groep 5"].id), **base,
        **{"questions-0-kind": "yes_no", "questions-0-text": "Mee?"}))
    assert other.status_code == 422
    assert ctx(lambda: Slip.select().count()) == 0


def test_either_guardian_answers_and_the_other_sees_who(app, parent, login_as, ctx):
    slip = ctx(make_slip)
    child = ctx(sem)
    ctx(second_guardian, child)
    page = parent.get(f"/slips/{slip.id}").get_data(as_text=True)
    values = ctx(answer_values, slip, "yes", "Notenallergie")
    response = parent.post(f"/slips/{slip.id}", data=_form(
        page, child=str(child.id), version="0", **{f"q{k}": v for k, v in values.items()}))
    assert response.status_code == 302
    father = login_as("vader.jansen@example.org")
    seen = father.get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "Ingevuld door Eva Jansen" in seen
    assert 'value="Notenallergie"' in seen
    # He changes it: one current answer, the earlier one in the history.
    values = ctx(answer_values, slip, "no")
    father.post(f"/slips/{slip.id}", data=_form(
        seen, child=str(child.id), version="1", **{f"q{k}": v for k, v in values.items()}))
    again = parent.get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "Ingevuld door Tom Jansen" in again and "Eerdere antwoorden" in again
    assert ctx(lambda: SlipAnswer.select().count()) == 1


def test_a_missing_answer_is_shown_next_to_the_question(app, parent, ctx):
    slip, child = ctx(make_slip), ctx(sem)
    page = parent.get(f"/slips/{slip.id}").get_data(as_text=True)
    response = parent.post(f"/slips/{slip.id}", data=_form(page, child=str(child.id)))
    assert response.status_code == 422
    assert "Beantwoord deze vraag." in response.get_data(as_text=True)
    assert ctx(lambda: SlipAnswer.select().count()) == 0


def test_after_the_deadline_the_answer_shows_but_cannot_change(app, parent, ctx):
    slip, child = ctx(make_slip), ctx(sem)
    ctx(lambda: answers.submit(slip, child, User.by_email(PARENT), answer_values(slip), 0,
                               school_today()))
    ctx(lambda: Slip.update(deadline=school_today() - timedelta(days=1)).execute())
    page = parent.get(f"/slips/{slip.id}").get_data(as_text=True)
    assert 'id="slips-answer"' not in page and "disabled" in page
    refused = parent.post(f"/slips/{slip.id}", data=_form(
        parent.get("/account").get_data(as_text=True), child=str(child.id),
        **{f"q{k}": v for k, v in ctx(answer_values, slip, "no").items()}))
    assert refused.status_code == 409
    assert ctx(lambda: SlipAnswer.get().version) == 1


def test_parents_and_staff_of_another_group_cannot_see_or_answer(app, other_parent, login_as,
                                                                 ctx):
    slip, child = ctx(make_slip), ctx(sem)
    ahmed = login_as("meester.ahmed@example.org")
    for client in (other_parent, ahmed):
        for url in (f"/slips/{slip.id}", f"/slips/{slip.id}/overview",
                    f"/slips/{slip.id}/overview.csv"):
            assert client.get(url).status_code in (403, 404), url
        token = csrf_token_from(client.get("/account").get_data(as_text=True))
        answer = client.post(f"/slips/{slip.id}", data={"csrf_token": token,
                                                         "child": str(child.id)})
        remind = client.post(f"/slips/{slip.id}/remind", data={"csrf_token": token})
        assert answer.status_code in (403, 404) and remind.status_code in (403, 404)
        assert "Kinderboerderij" not in client.get("/slips").get_data(as_text=True)
    assert ctx(lambda: SlipAnswer.select().count()) == 0


def test_the_overview_counts_and_lists_every_child(app, teacher, ctx):
    slip, child = ctx(make_slip), ctx(sem)
    ctx(lambda: answers.submit(slip, child, User.by_email(PARENT), answer_values(slip), 0,
                               school_today()))
    total = ctx(lambda: group_1_2a().pupils.count())
    page = teacher.get(f"/slips/{slip.id}/overview").get_data(as_text=True)
    assert f"1 van {total} ingevuld" in page
    assert page.count("nog niet ingevuld") == total - 1
    assert "Sem" in page and "Herinner wie nog niet heeft ingevuld" in page
    listing = teacher.get("/slips").get_data(as_text=True)
    assert f"1 van {total} ingevuld" in listing
    home = teacher.get("/").get_data(as_text=True)  # the home card counts in its own statement
    card = home[home.index('id="slips-home"'):]
    assert f"1 van {total} ingevuld" in card[:card.index("</ul>")]


def test_the_csv_is_formula_safe(app, teacher, ctx):
    slip, child = ctx(make_slip), ctx(sem)
    hostile = '=HYPERLINK("http://evil.example","klik")'
    ctx(lambda: answers.submit(slip, child, User.by_email(PARENT),
                               answer_values(slip, text=hostile), 0, school_today()))
    ctx(lambda: child.__class__.update(first_name="+Sem").where(
        child.__class__.id == child.id).execute())
    response = teacher.get(f"/slips/{slip.id}/overview.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["Kind", "Ingevuld door", "Beantwoord op"]
    sem_row = next(r for r in rows if "Sem" in r[0])
    assert sem_row[0] == "'+Sem Jansen"
    assert "'" + hostile in sem_row
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any("nog niet ingevuld" in r[1] for r in rows[1:])


def test_the_remind_button_plain_post_and_once_a_day(app, teacher, ctx):
    slip = ctx(make_slip)
    page = teacher.get(f"/slips/{slip.id}/overview").get_data(as_text=True)
    first = teacher.post(f"/slips/{slip.id}/remind", data=_form(page), follow_redirects=True)
    assert "Er is een herinnering gestuurd naar" in first.get_data(as_text=True)
    second = teacher.post(f"/slips/{slip.id}/remind", data=_form(page), follow_redirects=True)
    assert "Niemand om te herinneren" in second.get_data(as_text=True)


def test_the_staff_of_a_post_add_a_slip_to_it_and_see_the_count(app, teacher, parent, ctx):
    from schoolportal.feed.models import Post

    post_id = ctx(lambda: Post.create(author=User.by_email(TEACHER), group=group_1_2a(),
                                      title="Uitje", body="b", body_html="<p>b</p>",
                                      published_at=utcnow()).id)
    page = teacher.get(f"/posts/{post_id}").get_data(as_text=True)
    assert f"/slips/new?post={post_id}" in page
    new = teacher.get(f"/slips/new?post={post_id}").get_data(as_text=True)
    assert f'name="post" value="{post_id}"' in new
    slip = ctx(lambda: make_slip(post=Post.get_by_id(post_id)))
    page = teacher.get(f"/posts/{post_id}").get_data(as_text=True)
    assert "0 van" in page and "ingevuld" in page
    seen = parent.get(f"/posts/{post_id}").get_data(as_text=True)
    assert f"/slips/{slip.id}" in seen and "0 van" not in seen
