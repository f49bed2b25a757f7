"""The demo school's absences: a few reports (one open-ended, one late, one seen) and leave.

Every row has a fixed submission key, so running seed-demo again (on any day) adds nothing.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import hooks
from ..models import Pupil, User
from ..models.absence import LEAVE_APPROVED, AbsenceReport, LeaveRequest

PARENTS = ("ouder.jansen@example.org", "ouder.bakker@example.org",
           "ouder.elmansouri@example.org", "juf.sanne@example.org", "directie@example.org")
PUPILS = ("RB-1001", "RB-1002", "RB-1003", "RB-1004")


def _utc(day, hour, minute):
    """A moment at the school (Europe/Amsterdam) as stored: naive UTC."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Amsterdam"))
    return local.astimezone(UTC).replace(tzinfo=None)


@hooks.demo_example
def seed_absence(today):
    """Sem sick (open-ended), Lotte reported late, Yasmin at the dentist (seen), Adam's leave."""
    people = {u.email: u.id for u in User.select().where(User.email.in_(PARENTS))}
    pupils = {p.pupil_number: p.id for p in Pupil.select().where(Pupil.pupil_number.in_(PUPILS))}
    if len(people) < len(PARENTS) or len(pupils) < len(PUPILS):
        return  # not the demo school
    jansen, bakker, elmansouri, sanne, director = (people[e] for e in PARENTS)
    yesterday = today - timedelta(days=1)
    reports = [
        _report("demo-absence-sem", pupils["RB-1001"], jansen, "sick", today, None,
                _utc(today, 7, 42), note="Hij heeft koorts sinds vannacht."),
        _report("demo-absence-lotte", pupils["RB-1002"], bakker, "sick", today, today,
                _utc(today, 9, 5), late=True, note="Ze werd misselijk wakker."),
        _report("demo-absence-yasmin", pupils["RB-1003"], elmansouri, "doctor", today, today,
                _utc(yesterday, 19, 30), start_time=time(10, 0), end_time=time(11, 15),
                seen_by=sanne, seen_at=_utc(today, 8, 5)),
        _report("demo-absence-adam", pupils["RB-1004"], elmansouri, "other",
                today + timedelta(days=2), today + timedelta(days=2), _utc(today, 7, 55),
                reason_text="Uitvaart van zijn opa"),
    ]
    AbsenceReport.insert_many(reports).on_conflict_ignore().execute()
    LeaveRequest.insert_many([
        _leave("demo-leave-adam", pupils["RB-1004"], elmansouri, today + timedelta(days=21),
               today + timedelta(days=23), _utc(yesterday, 20, 15),
               "De bruiloft van zijn oom in Marokko; de vluchten gaan alleen op deze dagen."),
        _leave("demo-leave-lotte", pupils["RB-1002"], bakker, today + timedelta(days=9),
               today + timedelta(days=9), _utc(today - timedelta(days=6), 21, 0),
               "Het 50-jarig huwelijksfeest van haar opa en oma.", status=LEAVE_APPROVED,
               decided_by=director, decided_at=_utc(today - timedelta(days=5), 10, 30),
               decision_note="Goedgekeurd. Veel plezier op het feest!"),
    ]).on_conflict_ignore().execute()


def _report(key, pupil, by, reason, first, last, at, **extra):
    """One demo report row."""
    return {"submission_key": key, "pupil": pupil, "reported_by": by, "reason": reason,
            "starts_on": first, "ends_on": last, "created_at": at, "updated_at": at,
            "reason_text": "", "note": "", "late": False, "start_time": None, "end_time": None,
            "seen_by": None, "seen_at": None, **extra}


def _leave(key, pupil, by, first, last, at, reason, **extra):
    """One demo leave request row (pending unless `extra` decides it)."""
    return {"submission_key": key, "pupil": pupil, "requested_by": by, "starts_on": first,
            "ends_on": last, "created_at": at, "reason": reason, "status": "pending",
            "decided_by": None, "decided_at": None, "decision_note": "", **extra}
