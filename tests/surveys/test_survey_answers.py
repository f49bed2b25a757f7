"""Answering surveys without HTTP: checking answers, one answer per unit, anonymity kept in
the tables, the deadline, and who the reminder goes to."""

import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest
from peewee import IntegrityError
from werkzeug.datastructures import MultiDict

from schoolportal.core.models import Group, User, utcnow
from schoolportal.surveys import answers
from schoolportal.surveys.answers import AnswerError
from schoolportal.surveys.models import (
    MULTIPLE,
    NUMBER,
    PER_CHILD,
    SINGLE,
    TEXT,
    YES_NO,
    Survey,
    SurveyAnswer,
    SurveyGroup,
    SurveyOption,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
)
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT

QUESTIONS = [
    (YES_NO, "Mag je kind mee?", True, []),
    (SINGLE, "Hoe kom je?", True, ["Lopend", "Fiets"]),
    (MULTIPLE, "Welke dagen kun je?", False, ["Maandag", "Dinsdag", "Woensdag"]),
    (TEXT, "Opmerkingen", False, []),
    (NUMBER, "Met hoeveel personen?", False, []),
]


def make_survey(groups=("Groep 1/2A",), anonymous=False, per="family", open_for=timedelta(days=7),
                published=True, questions=QUESTIONS, title="Schoolreisje"):
    """A survey with questions (call with a connection); `groups=None` is the whole school."""
    survey = Survey.create(
        title=title, school_wide=groups is None, anonymous=anonymous, per=per,
        closes_at=utcnow() + open_for, published_at=utcnow() if published else None,
        created_by=User.by_email(TEACHER))
    for name in groups or ():
        SurveyGroup.create(survey=survey, group=Group.get(Group.name == name))
    for position, (kind, text, required, options) in enumerate(questions, 1):
        question = SurveyQuestion.create(survey=survey, kind=kind, text=text, required=required,
                                         position=position)
        for n, label in enumerate(options, 1):
            SurveyOption.create(question=question, position=n, label=label)
    survey.qs = answers.questions_of(survey)
    return survey


def good_form(survey, yes=True, text="Tot dan!"):
    """Posted answers to every question of a make_survey survey."""
    yes_no, single, multiple, text_q, number = survey.qs
    return MultiDict([
        (f"q{yes_no.id}", "yes" if yes else "no"), (f"q{single.id}", str(single.choices[1].id)),
        (f"q{multiple.id}", str(multiple.choices[0].id)),
        (f"q{multiple.id}", str(multiple.choices[2].id)),
        (f"q{text_q.id}", text), (f"q{number.id}", "3")])


def _answer(survey, email, form=None, key=None, unit=None):
    """Parse and submit as this parent for their first unit; returns the new key, if any."""
    user = User.by_email(email)
    units, _done = answers.units_for(user, survey)
    values, errors = answers.parse(survey.qs, form or good_form(survey))
    assert errors == {}
    return answers.submit(survey, user, unit or units[0], values, key)


def _counts():
    """How many respondents, responses and answers are stored."""
    return (SurveyRespondent.select().count(), SurveyResponse.select().count(),
            SurveyAnswer.select().count())


def test_parsing_gives_typed_values(db_ctx):
    survey = make_survey()
    values, errors = answers.parse(survey.qs, good_form(survey))
    yes_no, single, multiple, text_q, number = survey.qs
    assert errors == {}
    assert values == {yes_no.id: True, single.id: [single.choices[1].id],
                      multiple.id: sorted([multiple.choices[0].id, multiple.choices[2].id]),
                      text_q.id: "Tot dan!", number.id: 3}


@pytest.mark.parametrize("case, message", [
    ("missing_required", "Beantwoord deze vraag."),
    ("option_of_another_question", "Kies een van de mogelijkheden."),
    ("two_single_choices", "Kies een van de mogelijkheden."),
    ("text_20_kb", "Gebruik hoogstens 1000 tekens."),
    ("not_a_number", "Vul een heel getal in van -1000000 tot 1000000."),
    ("huge_number", "Vul een heel getal in van -1000000 tot 1000000."),
    ("maybe", "Kies ja of nee."),
    ("control_character", "Dit veld bevat tekens die niet toegestaan zijn."),
])
def test_bad_answers_get_a_message_per_question(db_ctx, case, message):
    survey = make_survey()
    yes_no, single, multiple, text_q, number = survey.qs
    form = good_form(survey)
    field, value = {
        "missing_required": (f"q{yes_no.id}", ""),
        "option_of_another_question": (f"q{single.id}", str(multiple.choices[0].id)),
        "two_single_choices": (f"q{single.id}", [str(o.id) for o in single.choices]),
        "text_20_kb": (f"q{text_q.id}", "é" * 20_000),
        "not_a_number": (f"q{number.id}", "drie"),
        "huge_number": (f"q{number.id}", "99999999999"),
        "maybe": (f"q{yes_no.id}", "misschien"),
        "control_character": (f"q{text_q.id}", "a\x00b"),
    }[case]
    form.setlist(field, value if isinstance(value, list) else [value])
    _values, errors = answers.parse(survey.qs, form)
    assert [str(e) for e in errors.values()] == [message]


def test_answers_to_another_surveys_questions_refuse_the_form(db_ctx):
    survey, other = make_survey(), make_survey(title="Ander")
    form = good_form(survey)
    form.add(f"q{other.qs[0].id}", "yes")
    with pytest.raises(AnswerError):
        answers.parse(survey.qs, form)


def test_a_named_answer_is_replaced_not_added(db_ctx):
    survey = make_survey()
    _answer(survey, PARENT)
    _answer(survey, PARENT, good_form(survey, yes=False, text="Toch niet"))
    assert _counts() == (1, 1, 6)  # the multiple choice question has two rows
    response = SurveyResponse.get()
    assert (response.unit, response.account.email) == (f"account:{response.account_id}", PARENT)
    unit = answers.units_for(User.by_email(PARENT), survey)[0][0]
    given = answers.given_answers(survey, unit)
    assert given[survey.qs[0].id] is False and given[survey.qs[3].id] == "Toch niet"


def test_per_child_both_parents_answer_the_same_child(db_ctx):
    survey = make_survey(groups=("Groep 5",), per=PER_CHILD)
    lotte = User.by_email(OTHER_PARENT)
    units, _done = answers.units_for(lotte, survey)
    assert [u.pupil.first_name for u in units] == ["Lotte"]
    second = User.create(email="vader.bakker@example.org", display_name="Joost Bakker",
                         role="parent", password_hash="x")
    from schoolportal.core.models import Guardianship
    Guardianship.create(guardian=second, pupil=units[0].pupil)
    _answer(survey, OTHER_PARENT)
    _answer(survey, "vader.bakker@example.org", good_form(survey, yes=False))
    assert _counts() == (1, 1, 6)  # the multiple choice question has two rows
    assert SurveyResponse.get().account_id == second.id  # the last one who changed it


def test_a_parent_answers_once_per_child_addressed(db_ctx):
    survey = make_survey(groups=None, per=PER_CHILD)
    units, done = answers.units_for(User.by_email(TWO_GROUP_PARENT), survey)
    assert sorted(u.pupil.first_name for u in units) == ["Adam", "Yasmin"] and done == set()
    for unit in units:
        _answer(survey, TWO_GROUP_PARENT, unit=unit)
    assert answers.units_for(User.by_email(TWO_GROUP_PARENT), survey)[1] == {
        u.key for u in units}
    family = make_survey(groups=("Groep 5",), title="Per gezin")
    assert [u.key for u in answers.units_for(User.by_email(TWO_GROUP_PARENT), family)[0]
            ] == [f"account:{User.by_email(TWO_GROUP_PARENT).id}"]
    assert answers.units_for(User.by_email(PARENT), family) == ([], set())


def test_anonymous_answers_store_no_link_to_the_person(db_ctx):
    survey = make_survey(groups=("Groep 1/2A",), anonymous=True, per=PER_CHILD)
    parent = User.by_email(PARENT)
    key = _answer(survey, PARENT, good_form(survey, text="Geheim"))
    [unit] = answers.units_for(parent, survey)[0]
    # "Has answered" names the parent and the child, and holds nothing of the answer.
    respondent = SurveyRespondent.select().dicts().get()
    assert respondent == {"survey": survey.id, "unit": unit.key, "account": parent.id,
                          "pupil": unit.pupil.id}
    # The response names nobody, has no time and a random id; the answers only point at it.
    response = SurveyResponse.select().dicts().get()
    assert {k: response[k] for k in ("unit", "account", "pupil", "updated_at")} == dict.fromkeys(
        ("unit", "account", "pupil", "updated_at"))
    assert len(response["id"]) == 32 and response["answer_key_hash"] != key
    for row in SurveyAnswer.select().dicts():
        assert set(row) == {"id", "response", "question", "option", "yes", "number", "text"}
        assert row["response"] == response["id"]
    # With the key the answer can be changed; without it, not (and nothing changes).
    assert answers.submit(survey, parent, unit, {survey.qs[0].id: False}, key) is None
    assert SurveyAnswer.select().count() == 1
    with pytest.raises(AnswerError):
        answers.submit(survey, parent, unit, {survey.qs[0].id: True})
    assert _counts() == (1, 1, 1)
    assert answers.given_answers(survey, unit, key) == {survey.qs[0].id: False}
    assert answers.given_answers(survey, unit) == {}


def test_the_database_refuses_an_anonymous_response_with_a_name(db_ctx):
    survey = make_survey(anonymous=True)
    with pytest.raises(IntegrityError), db_ctx.atomic():
        SurveyResponse.create(survey=survey, answer_key_hash="a" * 64,
                              account=User.by_email(PARENT))
    with pytest.raises(IntegrityError), db_ctx.atomic():
        SurveyResponse.create(survey=survey)  # neither a name nor a key


def test_after_the_deadline_nothing_changes(db_ctx):
    survey = make_survey()
    _answer(survey, PARENT)
    Survey.update(closes_at=utcnow() - timedelta(minutes=1)).execute()
    before = [tuple(r.values()) for r in SurveyAnswer.select().dicts()]
    with pytest.raises(AnswerError, match="gesloten"):
        _answer(survey, PARENT, good_form(survey, yes=False))
    with pytest.raises(AnswerError):
        _answer(survey, TWO_GROUP_PARENT)
    assert [tuple(r.values()) for r in SurveyAnswer.select().dicts()] == before
    assert _counts() == (1, 1, 6)  # the multiple choice question has two rows


def test_drafts_take_no_answers(db_ctx):
    survey = make_survey(published=False)
    with pytest.raises(AnswerError):
        _answer(survey, PARENT)
    assert _counts() == (0, 0, 0)


def test_the_reminder_skips_who_answered_and_who_wants_no_mail(db_ctx):
    survey = make_survey(groups=("Groep 1/2A",))
    _answer(survey, PARENT)
    User.update(mail_notifications="never").where(User.email == TWO_GROUP_PARENT).execute()
    missing = {parent.email: [c.first_name for c in kids]
               for parent, kids in answers.missing_parents(survey)}
    assert PARENT not in missing and TWO_GROUP_PARENT not in missing
    assert missing and all(len(kids) == 1 for kids in missing.values())
    assert all(User.by_email(e).password_hash for e in missing)  # only who can log in
    per_child = make_survey(groups=None, per=PER_CHILD, title="Per kind")
    User.update(mail_notifications="daily").where(User.email == TWO_GROUP_PARENT).execute()
    [kids] = [kids for parent, kids in answers.missing_parents(per_child)
              if parent.email == TWO_GROUP_PARENT]
    assert sorted(c.first_name for c in kids) == ["Adam", "Yasmin"]


@contextmanager
def _peewee_statements():
    """The statements peewee logs meanwhile (whichever database class runs them)."""
    statements = []

    class Keep(logging.Handler):
        def emit(self, record):
            statements.append(record.getMessage())

    logger, handler = logging.getLogger("peewee"), Keep(logging.DEBUG)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_the_menu_badge_counts_in_one_query_what_the_list_calls_to_do(db_ctx):
    family_1_2a = make_survey(title="Per gezin, 1/2A")
    per_child_all = make_survey(groups=None, per=PER_CHILD, title="Per kind, hele school")
    make_survey(groups=("Groep 5",), title="Per gezin, 5")
    make_survey(groups=("Groep 5",), open_for=timedelta(days=-1), title="Gesloten")
    make_survey(groups=None, published=False, title="Concept")

    def check(expected):
        for email, count in expected.items():
            user = User.by_email(email)
            todo = [row for row in answers.rows_for_parent(user) if row.state == "todo"]
            # The home page's list (one statement) is the same list.
            assert [r.survey.id for r in answers.todo_rows(user)] == [r.survey.id for r in todo]
            with _peewee_statements() as statements:
                assert answers.todo_count(user) == len(todo) == count, email
            # Outside a request nothing is kept: the children twice (for the groups and for
            # the count), then the count; a page loads the children once for everything.
            assert len(statements) == 2 + 1
        assert answers.todo_count(User.by_email(TEACHER)) == 0

    check({PARENT: 2, OTHER_PARENT: 2, TWO_GROUP_PARENT: 3})
    _answer(per_child_all, TWO_GROUP_PARENT)  # one of two children: still to do
    _answer(family_1_2a, TWO_GROUP_PARENT)
    _answer(per_child_all, PARENT)
    check({PARENT: 1, OTHER_PARENT: 2, TWO_GROUP_PARENT: 2})
