"""Answering a slip per child: one current answer, every version in the history, the
deadline, and two guardians at the same moment (the database puts them in order)."""

import threading
from datetime import timedelta

import pytest
import time_machine

from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, User
from schoolportal.slips import answers
from schoolportal.slips.models import SlipAnswer, SlipAnswerHistory
from tests.slips.support import answer_values, local, make_slip, second_guardian, sem
from tests.support.web import PARENT


def test_a_changed_answer_keeps_one_current_row_and_the_history(db_ctx):
    slip, child, mother = make_slip(), sem(), User.by_email(PARENT)
    father = second_guardian(child)
    first = answers.submit(slip, child, mother, answer_values(slip, "yes"), 0, school_today())
    second = answers.submit(slip, child, father, answer_values(slip, "no"), 1, school_today())
    assert (first.version, second.version) == (1, 2)
    assert not second.overtaken
    [current] = SlipAnswer.select().where(SlipAnswer.slip == slip.id)
    assert current.answered_by_id == father.id
    assert current.given[str(answers.questions_of(slip)[0].id)] == "no"
    history = answers.history_of(slip, child)
    assert [(h.version, h.answered_by.email) for h in history] == [
        (2, father.email), (1, PARENT)]


def test_an_answer_given_from_an_old_form_is_marked_overtaken(db_ctx):
    slip, child, mother = make_slip(), sem(), User.by_email(PARENT)
    father = second_guardian(child)
    answers.submit(slip, child, mother, answer_values(slip), 0, school_today())
    saved = answers.submit(slip, child, father, answer_values(slip, "no"), 0, school_today())
    assert saved.overtaken and saved.replaced.answered_by_id == mother.id


def test_no_answer_after_the_deadline(db_ctx):
    slip, child, mother = make_slip(deadline=school_today() + timedelta(days=1)), sem(), \
        User.by_email(PARENT)
    with pytest.raises(answers.SlipClosed):
        answers.submit(slip, child, mother, answer_values(slip), 0,
                       school_today() + timedelta(days=2))
    # The deadline day itself still counts.
    answers.submit(slip, child, mother, answer_values(slip), 0, slip.deadline)
    assert SlipAnswer.select().count() == 1


def test_a_required_question_and_a_made_up_option_are_refused(db_ctx):
    slip = make_slip()
    questions = answers.questions_of(slip)
    yes_no, _text, choice = questions
    values, errors = answers.parse(questions, {f"q{choice.id}": "Met de raket"})
    assert set(errors) == {f"q{yes_no.id}", f"q{choice.id}"}
    values, errors = answers.parse(questions, {f"q{yes_no.id}": "yes", f"q{choice.id}": "Nee"})
    assert errors == {} and values == {str(yes_no.id): "yes", str(choice.id): "Nee"}


def _race(app, calls):
    """Run the calls at the same moment, each in its own thread and connection."""
    results, barrier = [None] * len(calls), threading.Barrier(len(calls))

    def run(index):
        with app.app_context(), db.connection_context():
            barrier.wait()
            results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_guardians_at_the_same_moment_leave_one_answer_and_a_history_of_both(app):
    with app.app_context(), db.connection_context():
        slip, child = make_slip(), sem()
        mother, father = User.by_email(PARENT), second_guardian(child)
        yes, no = answer_values(slip, "yes"), answer_values(slip, "no")
    today = school_today()
    for attempt in range(3):  # a few rounds: each time both start from the same version
        with app.app_context(), db.connection_context():
            seen = SlipAnswer.select(SlipAnswer.version).scalar() or 0
        results = _race(app, [
            lambda s=seen: answers.submit(slip, child, mother, yes, s, today),
            lambda s=seen: answers.submit(slip, child, father, no, s, today)])
        assert sorted(r.version for r in results) == [2 * attempt + 1, 2 * attempt + 2]
        with app.app_context(), db.connection_context():
            assert SlipAnswer.select().count() == 1
            [current] = SlipAnswer.select()
            assert current.version == 2 * attempt + 2
            history = list(SlipAnswerHistory.select().order_by(SlipAnswerHistory.version))
            assert [h.version for h in history] == list(range(1, 2 * attempt + 3))
            # both guardians' answers of this round are in the history, once each
            assert {h.answered_by_id for h in history[-2:]} == {mother.id, father.id}
            # the later version is the current answer
            assert current.answered_by_id == history[-1].answered_by_id
            assert current.answer_json == history[-1].answer_json


def test_the_deadline_follows_the_school_clock(db_ctx):
    with time_machine.travel(local(2027, 3, 12, 23, 30), tick=False):
        slip, child, mother = make_slip(deadline=school_today()), sem(), User.by_email(PARENT)
        answers.submit(slip, child, mother, answer_values(slip), 0, school_today())
    # 00:30 in Amsterdam is still the 12th in UTC, but the slip closed with the 12th.
    with time_machine.travel(local(2027, 3, 13, 0, 30), tick=False), \
            pytest.raises(answers.SlipClosed):
        answers.submit(slip, child, mother, answer_values(slip, "no"), 1, school_today())


def test_a_parent_with_children_in_two_groups_sees_one_row_per_child_asked(db_ctx):
    from schoolportal.slips import building
    from tests.slips.support import QUESTIONS
    from tests.support.queries import QueryCounter
    from tests.support.web import TWO_GROUP_PARENT

    make_slip(title="Kinderboerderij")
    group_5 = Group.get(Group.name == "Groep 5")
    building.create(User.by_email("meester.ahmed@example.org"), group_5, "Schoolreis", "",
                    school_today() + timedelta(days=3), 2, QUESTIONS)
    parent = User.by_email(TWO_GROUP_PARENT)
    with QueryCounter() as counter:
        rows = answers.rows_for_parent(parent, school_today())
    # The slips, the answers, and (outside a request, where nothing is kept) the children
    # twice: for their groups and as the rows' children; a page loads them once.
    assert counter.count <= 4
    assert sorted((r.slip.title, r.child.group.name) for r in rows) == [
        ("Kinderboerderij", "Groep 1/2A"), ("Schoolreis", "Groep 5")]
    assert all(r.todo for r in rows)
    assert answers.rows_for_parent(User.by_email(PARENT), school_today())[0].child.first_name \
        == "Sem"


def test_the_menu_badge_counts_the_rows_still_to_fill_in(db_ctx):
    from schoolportal.core.hooks import count_all
    from tests.support.web import OTHER_PARENT, TEACHER, TWO_GROUP_PARENT

    open_slip = make_slip(title="Kinderboerderij")
    make_slip(title="Voorbij", deadline=school_today() - timedelta(days=1))

    def badges():
        emails = (PARENT, TWO_GROUP_PARENT, OTHER_PARENT, TEACHER)
        counted = count_all([answers.waiting_for(User.by_email(e), school_today())
                             for e in emails])
        todo = [[(r.slip.id, r.child.id) for r in answers.rows_for_parent(
            User.by_email(e), school_today()) if r.todo] for e in emails]
        assert counted == [len(rows) for rows in todo]
        # The home page's list (one statement) holds the same rows.
        assert [[(r.slip.id, r.child.id) for r in answers.todo_rows(User.by_email(e),
                                                                     school_today())]
                for e in emails] == todo
        return counted

    assert badges() == [1, 1, 0, 0]  # Sem; Yasmin (Groep 1/2A); Lotte is in Groep 5
    answers.submit(open_slip, sem(), User.by_email(PARENT), answer_values(open_slip), 0,
                   school_today())
    assert badges() == [0, 1, 0, 0]
