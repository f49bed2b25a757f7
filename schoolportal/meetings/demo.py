"""The demo school's meetings: an open round for Groep 1/2A and 5 with bookings, and a request."""

from datetime import datetime, time, timedelta

from schoolportal.core.models import Group, Pupil, User, utcnow
from schoolportal.meetings import booking, rounds
from schoolportal.meetings.models import MeetingRequest, MeetingRound, MeetingSlot

DEMO_TITLE = "Rapportgesprekken"


def seed(today):
    """An open round for Groep 1/2A and Groep 5 with some bookings, and one request."""
    if MeetingRound.select().where(MeetingRound.title.startswith(DEMO_TITLE)).exists():
        return
    groups = list(Group.select().where(Group.name.in_(["Groep 1/2A", "Groep 5"])))
    teachers = rounds.teachers_of_groups([g.id for g in groups])
    if not groups or not teachers:
        return
    now = utcnow()
    day = _weekday_after(today + timedelta(days=7))
    meeting_round = rounds.save_round(None, {
        "title": f"{DEMO_TITLE} {_DUTCH_MONTHS[day.month]} {day.year}",
        "kind": "report", "place": "Eigen klaslokaal",
        "opens_at": now - timedelta(days=1),
        "closes_at": rounds.to_utc(datetime.combine(day - timedelta(days=2), time(20))),
    }, [g.id for g in groups], User.get_or_none(User.email == "directie@example.org"))
    for teacher in teachers:
        rounds.add_block(meeting_round, teacher, day, time(15, 0), time(17, 0), 10)
        rounds.add_block(meeting_round, teacher, day, time(19, 0), time(20, 30), 10, 0,
                         time(19, 40), time(19, 50))
    # Published quietly: the demo's sent-mail list stays about onboarding.
    MeetingRound.update(published_at=now).where(MeetingRound.id == meeting_round.id).execute()
    meeting_round = MeetingRound.get_by_id(meeting_round.id)
    _demo_bookings(meeting_round, groups)
    _demo_request(teachers)


_DUTCH_MONTHS = ["", "januari", "februari", "maart", "april", "mei", "juni", "juli",
                 "augustus", "september", "oktober", "november", "december"]


def _weekday_after(day):
    """The first Tuesday to Thursday on or after the day (meeting evenings)."""
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def _demo_bookings(meeting_round, groups):
    """Book every third afternoon time for a classmate whose parents activated an account."""
    from schoolportal.core.models import GroupStaff, Guardianship

    for group in groups:
        teacher_ids = GroupStaff.select(GroupStaff.staff).where(GroupStaff.group == group)
        slots = list(MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound)
                     .where((MeetingSlot.round == meeting_round)
                            & MeetingSlot.teacher.in_(teacher_ids))
                     .order_by(MeetingSlot.starts_at))[:12:3]
        pairs = (Guardianship.select(Guardianship, Pupil, User).join(Pupil)
                 .switch(Guardianship).join(User)
                 .where((Pupil.group == group) & Pupil.pupil_number.startswith("RB-2")
                        & User.password_hash.is_null(False))
                 .order_by(Pupil.id).limit(len(slots)))
        for slot, row in zip(slots, pairs, strict=False):
            booking.book(slot, row.pupil.id, row.guardian)


def _demo_request(teachers):
    """Sem's mother asked juf Sanne for a conversation after school."""
    parent = User.get_or_none(User.email == "ouder.jansen@example.org")
    sem = Pupil.get_or_none(Pupil.pupil_number == "RB-1001")
    sanne = next((t for t in teachers if t.email == "juf.sanne@example.org"), None)
    if parent and sem and sanne:
        MeetingRequest.create(pupil=sem, asked_by=parent, teacher=sanne,
                              reason="Sem slaapt slecht sinds de verhuizing; kunnen we even "
                                     "praten na schooltijd?")
