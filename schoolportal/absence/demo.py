"""The demo school's absences: a few reports (one open-ended, one late, one seen) and leave.

Every row has a fixed submission key, so running seed-demo again (on any day) adds nothing.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schoolportal.absence.models import LEAVE_APPROVED, AbsenceReport, LeaveRequest
from schoolportal.calendar.demo import YEAR
from schoolportal.core.models import Pupil, User, utcnow

PARENTS = ("ouder.jansen@example.org", "ouder.bakker@example.org",
           "ouder.elmansouri@example.org", "juf.sanne@example.org", "directie@example.org")
PUPILS = ("RB-1001", "RB-1002", "RB-1003", "RB-1004")


def _utc(day, hour, minute):
    """A moment at the school (Europe/Amsterdam) as stored: naive UTC."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Amsterdam"))
    return local.astimezone(UTC).replace(tzinfo=None)


def _free_days():
    """The days without school in the demo year: its holidays and study days."""
    free = set()
    for key, title, first, last, start, *_rest in YEAR:
        named = "vrij" in title.lower() or "vakantie" in title.lower()
        if start is None and (named or key in ("easter", "king", "ascension", "whitsun")):
            day = first
            while day <= (last or first):
                free.add(day)
                day += timedelta(days=1)
    return free


def school_day(day, step=1):
    """`day` itself when children are at school then, else the next (step 1) or previous
    (step -1) day that they are: never a weekend, a holiday or a study day."""
    free = _free_days()
    while day.weekday() >= 5 or day in free:
        day += timedelta(days=step)
    return day


def seed(today):
    """Sem sick (open-ended), Lotte reported late, Yasmin at the dentist (seen), Adam's leave.

    Every day is a school day: "today" is the last school day up to today (at a weekend the
    demo shows Friday's reports), the rest falls on school days after it.
    """
    people = {u.email: u.id for u in User.select().where(User.email.in_(PARENTS))}
    pupils = {p.pupil_number: p.id for p in Pupil.select().where(Pupil.pupil_number.in_(PUPILS))}
    if len(people) < len(PARENTS) or len(pupils) < len(PUPILS):
        return  # not the demo school
    jansen, bakker, elmansouri, sanne, director = (people[e] for e in PARENTS)
    today = school_day(today, step=-1)
    yesterday = today - timedelta(days=1)
    funeral = school_day(school_day(today + timedelta(days=1)) + timedelta(days=1))
    wedding = school_day(today + timedelta(days=21))
    while school_day(wedding + timedelta(days=2)) != wedding + timedelta(days=2) \
            or school_day(wedding + timedelta(days=1)) != wedding + timedelta(days=1):
        wedding = school_day(wedding + timedelta(days=1))  # three school days in a row
    party = school_day(today + timedelta(days=9))
    reports = [
        _report("demo-absence-sem", pupils["RB-1001"], jansen, "sick", today, None,
                _at(today, 7, 42), note="Hij heeft koorts sinds vannacht."),
        _report("demo-absence-lotte", pupils["RB-1002"], bakker, "sick", today, today,
                _at(today, 9, 5), late=True, note="Ze werd misselijk wakker."),
        _report("demo-absence-yasmin", pupils["RB-1003"], elmansouri, "doctor", today, today,
                _utc(yesterday, 19, 30), start_time=time(10, 0), end_time=time(11, 15),
                seen_by=sanne, seen_at=_at(today, 8, 5)),
        _report("demo-absence-adam", pupils["RB-1004"], elmansouri, "other",
                funeral, funeral, _at(today, 7, 55),
                reason_text="Uitvaart van zijn opa"),
    ]
    AbsenceReport.insert_many(reports).on_conflict_ignore().execute()
    LeaveRequest.insert_many([
        _leave("demo-leave-adam", pupils["RB-1004"], elmansouri, wedding,
               wedding + timedelta(days=2), _utc(yesterday, 20, 15),
               "De bruiloft van zijn oom in Marokko; de vluchten gaan alleen op deze dagen."),
        _leave("demo-leave-lotte", pupils["RB-1002"], bakker, party,
               party, _utc(today - timedelta(days=6), 21, 0),
               "Het 50-jarig huwelijksfeest van haar opa en oma.", status=LEAVE_APPROVED,
               decided_by=director, decided_at=_utc(today - timedelta(days=5), 10, 30),
               decision_note="Goedgekeurd. Veel plezier op het feest!"),
    ]).on_conflict_ignore().execute()


def _at(day, hour, minute):
    """A moment of the demo's school day, never later than now (nobody reports ahead)."""
    return min(_utc(day, hour, minute), utcnow())


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
