"""Booking meeting slots (the domain, without HTTP): taken once, one per child, no overlaps."""

import threading
from datetime import date, datetime, time, timedelta

import pytest

from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Guardianship, OutboxMail, Pupil, User, utcnow
from schoolportal.meetings import booking, grid, mails, rounds
from schoolportal.meetings.models import MeetingBooking, MeetingRound, MeetingSlot, MeetingTimeLock
from tests.support.web import OTHER_PARENT, OTHER_TEACHER, PARENT, TEACHER, TWO_GROUP_PARENT


def meeting_day():
    """A day two weeks ahead: every slot lies in the future."""
    return school_today() + timedelta(days=14)


def open_round(groups=("Groep 1/2A",), starts=None, slot_minutes=10, count=6,
               one_per_guardian=False, closes_in=timedelta(days=7), published=True):
    """A round open for booking now, with one block per teacher of its groups.

    `starts` maps a teacher's email to the block's start time (default 19:00).
    """
    group_ids = [g.id for g in Group.select().where(Group.name.in_(list(groups)))]
    now = utcnow()
    meeting_round = rounds.save_round(None, {
        "title": "Rapportgesprekken", "kind": "report", "place": "Lokaal 12",
        "opens_at": now - timedelta(hours=1), "closes_at": now + closes_in,
        "one_per_guardian": one_per_guardian}, group_ids)
    for teacher in rounds.teachers_of_groups(group_ids):
        first = (starts or {}).get(teacher.email, time(19, 0))
        end = (datetime.combine(school_today(), first)
               + timedelta(minutes=slot_minutes * count)).time()
        rounds.add_block(meeting_round, teacher, meeting_day(), first, end, slot_minutes)
    if published:
        MeetingRound.update(published_at=now).where(MeetingRound.id == meeting_round.id).execute()
    return MeetingRound.get_by_id(meeting_round.id)


def slots_of(meeting_round, teacher_email):
    """The round's slots of one teacher, in time order, with their round loaded."""
    return list(MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound)
                .join_from(MeetingSlot, User, on=(MeetingSlot.teacher == User.id))
                .where((MeetingSlot.round == meeting_round) & (User.email == teacher_email))
                .order_by(MeetingSlot.starts_at))


def child_of(email, group_name=None):
    """A pupil of a demo parent (in a group, for a parent with two children)."""
    query = (Pupil.select(Pupil).join(Guardianship).join(User).switch(Pupil).join(Group)
             .where(User.email == email))
    if group_name:
        query = query.where(Group.name == group_name)
    return query.get()


def refused(call):
    """The reason a booking was refused (fails when it was not)."""
    with pytest.raises(booking.BookingRefused) as caught:
        call()
    return caught.value.reason


def test_a_block_is_cut_into_slots_around_its_break():
    times = rounds.slot_times(date(2027, 2, 9), time(19, 0), time(20, 30), 10, 5,
                              time(19, 40), time(19, 50))
    assert [a.strftime("%H:%M") for a, _b in times] == ["19:00", "19:15", "19:30", "19:50", "20:05",
                                                       "20:20"]
    assert all(b - a == timedelta(minutes=10) for a, b in times)


def test_slots_are_stored_in_utc_also_across_summer_time(db_ctx):
    meeting_round = open_round()
    winter = rounds.add_block(meeting_round, User.by_email(OTHER_TEACHER), date(2027, 3, 26),
                              time(19, 0), time(19, 10), 10)[0]
    summer = rounds.add_block(meeting_round, User.by_email(OTHER_TEACHER), date(2027, 3, 29),
                              time(19, 0), time(19, 10), 10)[0]
    starts = [s.starts_at.hour for s in MeetingSlot.select().where(
        MeetingSlot.block.in_([winter.id, summer.id])).order_by(MeetingSlot.starts_at)]
    assert starts == [18, 17]


def test_booking_takes_the_slot_and_locks_the_teacher_and_the_family(db_ctx):
    meeting_round = open_round()
    slot = slots_of(meeting_round, TEACHER)[0]
    parent, sem = User.by_email(PARENT), child_of(PARENT)

    made = booking.book(slot, sem.id, parent)

    assert MeetingSlot.get_by_id(slot.id).status == "booked"
    assert (made.round_id, made.pupil_id, made.scope) == (meeting_round.id, sem.id, 0)
    people = {row.person_id for row in MeetingTimeLock.select()}
    assert people == {parent.id, User.by_email(TEACHER).id}
    assert MeetingTimeLock.select().count() == 2 * 10  # ten minutes each


def test_a_slot_is_taken_once(db_ctx):
    meeting_round = open_round(groups=("Groep 1/2A",))
    slot = slots_of(meeting_round, TEACHER)[0]
    booking.book(slot, child_of(PARENT).id, User.by_email(PARENT))
    other = User.by_email(TWO_GROUP_PARENT)
    assert refused(lambda: booking.book(slot, child_of(TWO_GROUP_PARENT, "Groep 1/2A").id,
                                        other)) == booking.TAKEN
    assert MeetingBooking.select().count() == 1


def test_booking_another_time_moves_the_childs_booking(db_ctx):
    meeting_round = open_round()
    first, second = slots_of(meeting_round, TEACHER)[:2]
    parent, sem = User.by_email(PARENT), child_of(PARENT)
    booking.book(first, sem.id, parent)
    booking.book(second, sem.id, parent)
    assert [b.slot_id for b in MeetingBooking.select()] == [second.id]
    assert MeetingSlot.get_by_id(first.id).status == "free"
    assert MeetingTimeLock.select().count() == 20


def test_a_failed_move_keeps_the_old_booking(db_ctx):
    meeting_round = open_round()
    first, second = slots_of(meeting_round, TEACHER)[:2]
    parent, sem = User.by_email(PARENT), child_of(PARENT)
    booking.book(first, sem.id, parent)
    booking.block(second)
    assert refused(lambda: booking.book(second, sem.id, parent)) == booking.TAKEN
    assert [b.slot_id for b in MeetingBooking.select()] == [first.id]


def _two_teacher_round():
    """Groep 1/2A (juf Sanne) from 19:00 and Groep 5 (meester Ahmed) from 19:05, 10 minutes."""
    return open_round(groups=("Groep 1/2A", "Groep 5"),
                      starts={TEACHER: time(19, 0), OTHER_TEACHER: time(19, 5)})


@pytest.mark.parametrize("order", ["younger first", "older first"])
def test_a_family_cannot_hold_two_overlapping_meetings(db_ctx, order):
    meeting_round = _two_teacher_round()
    parent = User.by_email(TWO_GROUP_PARENT)
    yasmin, adam = child_of(TWO_GROUP_PARENT, "Groep 1/2A"), child_of(TWO_GROUP_PARENT, "Groep 5")
    sanne_19_00 = slots_of(meeting_round, TEACHER)[0]
    ahmed_19_05 = slots_of(meeting_round, OTHER_TEACHER)[0]
    first, second = [(sanne_19_00, yasmin), (ahmed_19_05, adam)][:: 1 if order == "younger first"
                                                                 else -1]
    booking.book(first[0], first[1].id, parent)
    assert refused(lambda: booking.book(second[0], second[1].id, parent)) == booking.FAMILY_BUSY
    assert MeetingSlot.get_by_id(second[0].id).status == "free"  # rolled back completely
    # Back to back is fine: Ahmed's 19:15 joins Sanne's 19:00-19:10 after a five-minute walk.
    if order == "younger first":
        booking.book(slots_of(meeting_round, OTHER_TEACHER)[1], adam.id, parent)
        assert MeetingBooking.select().count() == 2


def test_two_guardians_of_one_family_cannot_overlap_either(db_ctx):
    meeting_round = _two_teacher_round()
    yasmin, adam = child_of(TWO_GROUP_PARENT, "Groep 1/2A"), child_of(TWO_GROUP_PARENT, "Groep 5")
    father = User.create(email="vader.elmansouri@example.org", display_name="Karim El Mansouri",
                         role="parent")
    Guardianship.insert_many([{"guardian": father.id, "pupil": p.id} for p in (yasmin, adam)]
                             ).execute()
    booking.book(slots_of(meeting_round, TEACHER)[0], yasmin.id, User.by_email(TWO_GROUP_PARENT))
    assert refused(lambda: booking.book(slots_of(meeting_round, OTHER_TEACHER)[0], adam.id,
                                        father)) == booking.FAMILY_BUSY


def _race(app, calls):
    """Run the calls at the same moment, each in its own thread and connection."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index):
        with app.app_context(), db.connection_context():
            barrier.wait()
            try:
                results[index] = calls[index]()
            except booking.BookingRefused as error:
                results[index] = error.reason

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_overlapping_family_bookings_at_the_same_moment_leave_one(app):
    with app.app_context(), db.connection_context():
        meeting_round = _two_teacher_round()
        parent = User.by_email(TWO_GROUP_PARENT)
        yasmin = child_of(TWO_GROUP_PARENT, "Groep 1/2A").id
        adam = child_of(TWO_GROUP_PARENT, "Groep 5").id
        sanne, ahmed = slots_of(meeting_round, TEACHER), slots_of(meeting_round, OTHER_TEACHER)
    for attempt in range(4):  # a few rounds: each pair overlaps by five minutes
        results = _race(app, [lambda s=sanne[attempt]: booking.book(s, yasmin, parent),
                              lambda s=ahmed[attempt]: booking.book(s, adam, parent)])
        assert sorted(type(r).__name__ for r in results) == ["MeetingBooking", "str"], results
        assert booking.FAMILY_BUSY in results
        with app.app_context(), db.connection_context():
            _assert_no_family_overlap(parent)
            MeetingBooking.delete().execute()
            MeetingSlot.update(status="free").execute()


def _assert_no_family_overlap(parent):
    """The parent's meetings never overlap."""
    meetings = sorted(booking.bookings_for(parent), key=lambda m: m.start)
    for before, after in zip(meetings, meetings[1:], strict=False):
        assert before.end <= after.start, (before, after)


def test_one_booking_per_guardian_when_the_round_allows_it(db_ctx):
    meeting_round = open_round(one_per_guardian=True)
    sem = child_of(PARENT)
    father = User.create(email="peter.jansen@example.org", display_name="Peter Jansen",
                         role="parent")
    Guardianship.create(guardian=father, pupil=sem)
    first, second = slots_of(meeting_round, TEACHER)[:2]
    booking.book(first, sem.id, User.by_email(PARENT), scope=User.by_email(PARENT).id)
    booking.book(second, sem.id, father, scope=father.id)
    assert MeetingBooking.select().count() == 2
    # Each one's booking occupies only that guardian (and the teacher).
    assert {r.person_id for r in MeetingTimeLock.select()} == {
        User.by_email(PARENT).id, father.id, User.by_email(TEACHER).id}


def test_parents_book_only_while_the_round_is_open_staff_also_later(db_ctx):
    meeting_round = open_round(closes_in=timedelta(seconds=-1))
    slot = slots_of(meeting_round, TEACHER)[0]
    sem = child_of(PARENT)
    assert refused(lambda: booking.book(slot, sem.id, User.by_email(PARENT))) == booking.CLOSED
    booking.book(slot, sem.id, User.by_email(TEACHER), by_staff=True)
    past = MeetingSlot.create(round=meeting_round, teacher=slot.teacher_id,
                              starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow())
    past = MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound).where(
        MeetingSlot.id == past.id).get()
    assert refused(lambda: booking.book(past, sem.id, User.by_email(TEACHER),
                                        by_staff=True)) == booking.CLOSED


def test_blocking_and_cancelling(db_ctx):
    meeting_round = open_round()
    first, second = slots_of(meeting_round, TEACHER)[:2]
    parent, sem = User.by_email(PARENT), child_of(PARENT)
    assert booking.block(first)
    assert refused(lambda: booking.book(first, sem.id, parent)) == booking.TAKEN
    assert booking.unblock(first)
    made = booking.book(second, sem.id, parent)
    assert not booking.block(second)  # booked: it cannot be blocked
    assert booking.cancel(made) and not booking.cancel(made)
    assert MeetingSlot.get_by_id(second.id).status == "free"
    assert MeetingTimeLock.select().count() == 0


def test_a_block_with_a_booking_cannot_be_removed(db_ctx):
    meeting_round = open_round()
    slot = slots_of(meeting_round, TEACHER)[0]
    booking.book(slot, child_of(PARENT).id, User.by_email(PARENT))
    assert rounds.remove_block(slot.block) is False
    assert MeetingSlot.select().where(MeetingSlot.block == slot.block_id).count() == 6
    assert MeetingSlot.select().where(MeetingSlot.status == "blocked").count() == 0
    other = slots_of(meeting_round, TEACHER)[0].block
    booking.cancel(MeetingBooking.get())
    assert rounds.remove_block(other) is True
    assert MeetingSlot.select().count() == 0


def test_overlapping_blocks_of_one_teacher_are_refused(db_ctx):
    meeting_round = open_round()
    with pytest.raises(rounds.RoundError):
        rounds.add_block(meeting_round, User.by_email(TEACHER), meeting_day(), time(19, 30),
                         time(20, 0), 10)


def test_bookings_for_gives_parents_and_teachers_their_meetings(db_ctx):
    meeting_round = open_round()
    slot = slots_of(meeting_round, TEACHER)[0]
    booking.book(slot, child_of(PARENT).id, User.by_email(PARENT))
    [mine] = booking.bookings_for(User.by_email(PARENT))
    assert (mine.start, mine.end, mine.place) == (slot.starts_at, slot.ends_at, "Lokaal 12")
    assert (mine.teacher, mine.child) == ("juf Sanne", "Sem Jansen")
    assert booking.bookings_for(User.by_email(TEACHER)) == [mine]
    assert booking.bookings_for(User.by_email(OTHER_PARENT)) == []
    assert booking.bookings_for(User.by_email(OTHER_TEACHER)) == []


def test_the_calendar_file_holds_the_meeting(db_ctx):
    meeting_round = open_round()
    slot = slots_of(meeting_round, TEACHER)[0]
    booking.book(slot, child_of(PARENT).id, User.by_email(PARENT))
    body = mails.ics(booking.bookings_for(User.by_email(PARENT)), "Gesprek").decode()
    assert "BEGIN:VEVENT" in body and "LOCATION:Lokaal 12" in body
    assert f"DTSTART:{slot.starts_at:%Y%m%dT%H%M%S}Z" in body
    assert "Sem Jansen" in body and "juf Sanne" in body


def test_the_reminder_goes_once_the_day_before_and_not_to_who_chose_no_mail(db_ctx):
    meeting_round = open_round()
    slot = slots_of(meeting_round, TEACHER)[0]
    booking.book(slot, child_of(PARENT).id, User.by_email(PARENT))
    day_before = meeting_day() - timedelta(days=1)
    assert mails.send_reminders(day_before - timedelta(days=1)) == 0
    assert mails.send_reminders(day_before) == 1
    assert mails.send_reminders(day_before) == 0
    [mail] = OutboxMail.select().where(OutboxMail.template == "meetings/reminder")
    assert mail.to_email == PARENT and "Herinnering" in mail.body_text
    User.update(mail_notifications="never").where(User.email == PARENT).execute()
    MeetingBooking.update(reminded_at=None).execute()
    assert mails.send_reminders(day_before) == 0


def test_a_family_is_offered_back_to_back_times(db_ctx):
    meeting_round = open_round(groups=("Groep 1/2A", "Groep 5"),
                               starts={TEACHER: time(19, 0), OTHER_TEACHER: time(19, 10)})
    parent = User.by_email(TWO_GROUP_PARENT)
    children = [child_of(TWO_GROUP_PARENT, "Groep 1/2A"), child_of(TWO_GROUP_PARENT, "Groep 5")]
    views, pairs = grid.family_view(parent, [meeting_round], children)
    assert len(views) == 1 and len(views[0].children) == 2
    assert pairs, "no back-to-back offer"
    for pair in pairs:
        assert pair.first_slot.teacher_id != pair.second_slot.teacher_id
        assert pair.first_slot.ends_at == pair.second_slot.starts_at
    booking.book_all([(pairs[0].first_slot, pairs[0].first_pupil.id, 0),
                      (pairs[0].second_slot, pairs[0].second_pupil.id, 0)], parent)
    assert MeetingBooking.select().count() == 2


def test_times_next_to_a_siblings_meeting_are_marked(db_ctx):
    meeting_round = open_round(groups=("Groep 1/2A", "Groep 5"),
                               starts={TEACHER: time(19, 0), OTHER_TEACHER: time(19, 10)})
    parent = User.by_email(TWO_GROUP_PARENT)
    yasmin, adam = child_of(TWO_GROUP_PARENT, "Groep 1/2A"), child_of(TWO_GROUP_PARENT, "Groep 5")
    sanne = slots_of(meeting_round, TEACHER)
    booking.book(sanne[1], yasmin.id, parent)  # 19:10-19:20
    views, pairs = grid.family_view(parent, [meeting_round], [yasmin, adam])
    adams = next(g for g in views[0].children if g.pupil.id == adam.id)
    near = [s.starts_at for s in adams.free_slots if s.id in adams.near]
    assert near == [sanne[1].ends_at]  # Ahmed's 19:20 follows; 19:00 would end as it starts
    assert pairs == []  # one child is booked already: no pairs


def test_a_parent_of_another_group_gets_no_grid(db_ctx):
    meeting_round = open_round(groups=("Groep 1/2A",))
    views, _pairs = grid.family_view(
        User.by_email(OTHER_PARENT), [meeting_round], [child_of(OTHER_PARENT)])
    assert views[0].children == []


def test_a_teacher_is_never_in_two_meetings_at_once(db_ctx):
    from schoolportal.meetings import requests
    from schoolportal.meetings.models import MeetingRequest

    meeting_round = open_round(groups=("Groep 5",))
    round_slot = slots_of(meeting_round, OTHER_TEACHER)[0]
    booking.book(round_slot, child_of(OTHER_PARENT).id, User.by_email(OTHER_PARENT))
    # Meester Ahmed offers Adam's mother a time that overlaps the booked report meeting.
    request = MeetingRequest.create(pupil=child_of(TWO_GROUP_PARENT, "Groep 5"),
                                    asked_by=User.by_email(TWO_GROUP_PARENT),
                                    teacher=User.by_email(OTHER_TEACHER), reason="Even praten")
    requests.offer(request, [rounds.to_local(round_slot.starts_at + timedelta(minutes=5))],
                           15, "Lokaal 5")
    offered = requests.offered_slots(MeetingRequest.get_by_id(request.id), utcnow())
    assert refused(lambda: requests.pick(MeetingRequest.get_by_id(request.id),
                                                 offered[0], User.by_email(TWO_GROUP_PARENT))
                   ) == booking.TAKEN
    assert MeetingRequest.get_by_id(request.id).status == "offered"


def test_the_reminder_is_a_daily_job_of_the_worker():
    from schoolportal.core import worker

    assert worker.DAILY_JOBS["meeting_reminders"] is mails.send_reminders
