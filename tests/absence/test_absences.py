"""The absence rules without HTTP: once per form, when a report begins, late, seen, leave, purge."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from schoolportal.absence import service
from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.core import worker
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import MAIL_SENT, Guardianship, OutboxMail, Pupil, User
from tests.support.web import ADMIN, OTHER_TEACHER, PARENT, TEACHER

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2026, 11, 23)


def at(day, hour, minute=0):
    """A moment at the school, as naive UTC (how `now` is passed and stored)."""
    local = datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)
    return local.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def sem(db_ctx):
    """Sem Jansen (Groep 1/2A) and his parent."""
    return Pupil.get(Pupil.first_name == "Sem"), User.by_email(PARENT)


def _sick(pupil, parent, key, first, now, last=None, **extra):
    """Report an illness from `first` (open-ended unless `last`)."""
    details = {"reason": "sick", "starts_on": first, "ends_on": last, **extra}
    return service.report(pupil, parent, key, now=now, **details)


def test_school_day_start_is_a_setting(app, db_ctx):
    assert service.school_starts_at() == time(8, 30)
    app.config["ABSENCE_SCHOOL_STARTS_AT"] = "08:15"
    assert service.school_starts_at() == time(8, 15)
    app.config["ABSENCE_SCHOOL_STARTS_AT"] = "nonsense"
    assert service.school_starts_at() == time(8, 30)


def test_a_report_after_school_started_is_late(sem):
    pupil, parent = sem
    tuesday, thursday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)
    early, _ = _sick(pupil, parent, "k" * 20, MONDAY, at(MONDAY, 8, 29), last=MONDAY)
    late, _ = _sick(pupil, parent, "l" * 20, tuesday, at(tuesday, 8, 31), last=tuesday)
    ahead, _ = _sick(pupil, parent, "m" * 20, thursday, at(MONDAY, 22, 0))
    assert (early.late, late.late, ahead.late) == (False, True, False)


def test_part_of_a_day_begins_at_its_start_time(sem):
    pupil, parent = sem
    row, _ = service.report(pupil, parent, "d" * 20, now=at(MONDAY, 9, 0), reason="doctor",
                             starts_on=MONDAY, ends_on=MONDAY, start_time=time(10, 0),
                             end_time=time(11, 30))
    assert not row.late  # school had started, but Sem was still in class
    assert not service.has_begun(row, at(MONDAY, 9, 59))
    assert service.has_begun(row, at(MONDAY, 10, 0))


def test_the_same_form_twice_gives_the_first_report(sem):
    pupil, parent = sem
    first, created = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    again, created_again = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7, 1))
    assert created and not created_again and again.id == first.id
    assert AbsenceReport.select().count() == 1
    assert OutboxMail.select().count() == 1  # juf Sanne, once


def test_a_second_form_for_a_day_already_covered_is_refused(sem):
    pupil, parent = sem
    first, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    with pytest.raises(service.AlreadyReported) as refused:
        service.report(pupil, parent, "b" * 20, now=at(MONDAY, 7), reason="doctor",
                        starts_on=MONDAY + timedelta(days=2), ends_on=MONDAY + timedelta(days=2))
    assert refused.value.report.id == first.id
    assert "Sem is voor die dag al afwezig gemeld" in str(refused.value)
    assert AbsenceReport.select().count() == 1


def test_an_appointment_ahead_does_not_block_reporting_sick_today(sem):
    pupil, parent = sem
    service.report(pupil, parent, "a" * 20, now=at(MONDAY, 7), reason="doctor",
                    starts_on=MONDAY + timedelta(days=3), ends_on=MONDAY + timedelta(days=3))
    _sick(pupil, parent, "b" * 20, MONDAY, at(MONDAY, 7, 5))
    assert AbsenceReport.select().count() == 2


def test_a_key_of_another_child_is_a_stale_form(db_ctx):
    parent = User.by_email("ouder.elmansouri@example.org")
    yasmin, adam = (Pupil.get(Pupil.first_name == name) for name in ("Yasmin", "Adam"))
    _sick(yasmin, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    with pytest.raises(service.AbsenceError, match="al verstuurd"):
        _sick(adam, parent, "a" * 20, MONDAY, at(MONDAY, 7))


def test_concurrent_reports_for_one_child_store_one(app):
    """Ten threads, each with its own connection: same key, other keys, one row."""
    with app.app_context(), db.connection_context():
        pupil, parent = Pupil.get(Pupil.first_name == "Sem"), User.by_email(PARENT)
    start, outcomes = threading.Barrier(10), {}

    def tap(number):
        with app.app_context(), db.connection_context():
            start.wait(timeout=10)
            key = "same-key-for-all-000" if number < 5 else f"other-key-{number:010d}"
            try:
                outcomes[number] = "created" if _sick(pupil, parent, key, MONDAY,
                                                      at(MONDAY, 7))[1] else "again"
            except service.AlreadyReported:
                outcomes[number] = "refused"

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [winner] = [n for n, outcome in outcomes.items() if outcome == "created"]
    same_form = set(range(5)) if winner < 5 else {winner}
    # Whoever sent the winning form again is answered as if it went through the first time.
    assert {outcomes[n] for n in same_form - {winner}} <= {"again"}
    assert {outcomes[n] for n in set(range(10)) - same_form} == {"refused"}
    with app.app_context(), db.connection_context():
        assert AbsenceReport.select().count() == 1
        assert OutboxMail.select().count() == 1


def test_correcting_before_it_begins_resets_seen_and_tells_the_teacher(sem):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    service.mark_seen(row, User.by_email(TEACHER), now=at(MONDAY, 7, 30))
    changed = service.correct(row, parent, now=at(MONDAY, 8), reason="other",
                               reason_text="Uitvaart", starts_on=MONDAY, ends_on=MONDAY,
                               start_time=None, end_time=None, note="")
    assert (changed.reason, changed.reason_text, changed.ends_on) == ("other", "Uitvaart", MONDAY)
    assert changed.seen_at is None and changed.seen_by is None
    mails = list(OutboxMail.select().order_by(OutboxMail.id))
    assert len(mails) == 2 and "gewijzigd" in mails[1].body_text


def test_a_begun_absence_cannot_be_corrected_or_withdrawn(sem):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    with pytest.raises(service.HasBegun):
        service.correct(row, parent, now=at(MONDAY, 8, 30), reason="sick", reason_text="",
                         starts_on=MONDAY, ends_on=None, start_time=None, end_time=None, note="")
    with pytest.raises(service.HasBegun):
        service.withdraw(row, parent, now=at(MONDAY, 9))
    assert AbsenceReport.get_by_id(row.id).ends_on is None


def test_withdrawing_deletes_and_tells_the_teacher(sem):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    service.withdraw(row, parent, now=at(MONDAY, 7, 10))
    assert AbsenceReport.select().count() == 0
    withdrawn = OutboxMail.get(OutboxMail.template == "absence/withdrawn")
    assert "ingetrokken" in withdrawn.body_text and "Sem Jansen" in withdrawn.subject


@pytest.mark.parametrize(("said_at", "last_day"), [
    (at(MONDAY + timedelta(days=2), 7, 45), MONDAY + timedelta(days=1)),  # back today
    (at(MONDAY + timedelta(days=2), 19, 0), MONDAY + timedelta(days=2)),  # back tomorrow
    (at(MONDAY, 12, 0), MONDAY),  # better the same day it began
])
def test_better_again_ends_an_open_absence(sem, said_at, last_day):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    assert service.end(row, parent, now=said_at).ends_on == last_day
    assert service.end(row, parent, now=said_at + timedelta(days=3)).ends_on == last_day


def test_better_again_before_it_begins_is_a_withdrawal(sem):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    with pytest.raises(service.AbsenceError, match="Trek de melding dan in"):
        service.end(row, parent, now=at(MONDAY, 8))


def test_the_first_teacher_to_see_it_is_kept(sem):
    pupil, parent = sem
    row, _ = _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7))
    seen = service.mark_seen(row, User.by_email(TEACHER), now=at(MONDAY, 8))
    again = service.mark_seen(row, User.by_email(ADMIN), now=at(MONDAY, 9))
    assert seen.seen_by.display_name == again.seen_by.display_name == "juf Sanne"


def test_mail_preferences_daily_is_at_once_never_is_portal_only(sem):
    pupil, parent = sem
    User.update(mail_notifications="daily").where(User.email == TEACHER).execute()
    _sick(pupil, parent, "a" * 20, MONDAY, at(MONDAY, 7), last=MONDAY)
    assert [m.to_email for m in OutboxMail.select()] == [TEACHER]
    User.update(mail_notifications="never").where(User.email == TEACHER).execute()
    _sick(pupil, parent, "b" * 20, MONDAY + timedelta(days=7), at(MONDAY, 7))
    assert OutboxMail.select().count() == 1


def test_leave_is_decided_once_and_mailed_to_guardians_and_teachers(sem):
    pupil, parent = sem
    second = User.get(User.email.startswith("ouder2") & User.password_hash.is_null(False))
    Guardianship.create(guardian=second, pupil=pupil)
    leave, created = service.request_leave(pupil, parent, "v" * 20, MONDAY, MONDAY, "Bruiloft")
    again, created_again = service.request_leave(pupil, parent, "v" * 20, MONDAY, MONDAY, "x")
    assert created and not created_again and again.id == leave.id
    decided = service.decide_leave(leave, User.by_email(ADMIN), False, "Geen gewichtige reden.")
    assert decided.status == "rejected" and decided.decided_by.email == ADMIN
    with pytest.raises(service.AlreadyDecided):
        service.decide_leave(leave, User.by_email(ADMIN), True, "")
    assert LeaveRequest.get_by_id(leave.id).status == "rejected"
    assert sorted(m.to_email for m in OutboxMail.select()) == sorted(
        [PARENT, second.email, TEACHER])
    assert "Geen gewichtige reden." in OutboxMail.get(OutboxMail.to_email == PARENT).body_text


def test_only_pending_leave_can_be_withdrawn(sem):
    pupil, parent = sem
    leave, _ = service.request_leave(pupil, parent, "v" * 20, MONDAY, MONDAY, "Bruiloft")
    service.decide_leave(leave, User.by_email(ADMIN), True, "")
    with pytest.raises(service.AlreadyDecided):
        service.withdraw_leave(leave)
    assert LeaveRequest.select().count() == 1


@pytest.mark.parametrize(("today", "retention", "last"), [
    (date(2027, 9, 1), 365, date(2026, 7, 31)),
    (date(2027, 7, 31), 365, date(2025, 7, 31)),
    (date(2027, 9, 1), 30, date(2027, 7, 31)),
])
def test_details_are_kept_a_year_after_the_school_year(app, db_ctx, today, retention, last):
    app.config["ABSENCE_RETENTION_DAYS"] = retention
    assert service.purge_before(today) == last


def test_purge_forgets_old_reports_leave_and_their_mails(app, sem):
    pupil, parent = sem
    old_day, new_day = date(2025, 6, 2), date(2026, 6, 1)
    old, _ = _sick(pupil, parent, "o" * 20, old_day, at(old_day, 7), last=old_day)
    new, _ = _sick(pupil, parent, "n" * 20, new_day, at(new_day, 7), last=new_day)
    service.request_leave(pupil, parent, "p" * 20, old_day, old_day, "Oud", now=at(old_day, 7))
    service.request_leave(pupil, parent, "q" * 20, new_day, new_day, "Nieuw")
    OutboxMail.update(status=MAIL_SENT).execute()
    OutboxMail.update(created_at=at(old_day, 7)).where(OutboxMail.id == 1).execute()
    counts = service.purge(today=date(2026, 9, 1))
    assert counts == {"reports": 1, "leave": 1, "mails": 1}
    assert [r.id for r in AbsenceReport.select()] == [new.id]
    assert [r.reason for r in LeaveRequest.select()] == ["Nieuw"]


def test_the_purge_runs_as_a_daily_job(app, sem):
    pupil, parent = sem
    long_ago = date(2020, 3, 2)
    _sick(pupil, parent, "o" * 20, long_ago, at(long_ago, 7), last=long_ago)
    assert "absence_purge" in worker.run_daily_jobs()
    assert AbsenceReport.select().count() == 0
    assert "absence_purge" not in worker.run_daily_jobs()  # once a day


def test_lists_cover_the_day_and_follow_school_order(sem):
    pupil, parent = sem
    other = Pupil.get(Pupil.first_name == "Lotte")
    _sick(other, User.by_email("ouder.bakker@example.org"), "b" * 20, MONDAY, at(MONDAY, 7))
    _sick(pupil, parent, "a" * 20, MONDAY - timedelta(days=2), at(MONDAY, 7), last=MONDAY)
    leave, _ = service.request_leave(pupil, parent, "v" * 20, MONDAY + timedelta(days=1),
                                      MONDAY + timedelta(days=1), "Bruiloft")
    service.decide_leave(leave, User.by_email(ADMIN), True, "")
    everyone = Pupil.select(Pupil.id)
    names = [e.pupil.first_name for e in service.absent_on(everyone, MONDAY)]
    assert names == ["Sem", "Lotte"]  # Groep 1/2A before Groep 5
    kinds = [e.kind for e in service.absent_on(everyone, MONDAY + timedelta(days=1))]
    assert sorted(kinds) == ["leave", "report"]  # Lotte still sick, Sem on leave
    teachers = service.teachers_of(other)
    assert [t.email for t in teachers] == [OTHER_TEACHER]


def test_demo_examples_are_added_once(app, db_ctx):
    from schoolportal.absence.demo import seed as seed_absence

    today = service.school_today()
    for _ in range(2):
        with write_transaction():
            seed_absence(today)
    reports = list(AbsenceReport.select())
    assert len(reports) == 4 and LeaveRequest.select().count() == 2
    assert sum(r.ends_on is None for r in reports) == 1 and sum(r.late for r in reports) == 1
    assert LeaveRequest.select().where(LeaveRequest.status == "pending").count() == 1
