"""A round shared by Groep 1/2A and Groep 5: each teacher sees and manages only their own times.

The red team's findings (issue 18): juf Sanne (Groep 1/2A) saw Groep 5's children and
parents in the schedule, was offered all of Groep 5 to book for meester Ahmed's time,
cancelled and downloaded his bookings and blocked his times. Admins still see everything.
"""

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import User
from schoolportal.meetings.models import MeetingBlock, MeetingBooking, MeetingSlot
from tests.meetings.test_booking import child_of, meeting_day, open_round, slots_of
from tests.support.web import OTHER_PARENT, OTHER_TEACHER, PARENT, TEACHER, csrf_token_from


def _run(app, function):
    """Run a function with a database connection and return its result."""
    with app.app_context(), db.connection_context():
        return function()


@pytest.fixture
def shared(app, login_as):
    """A shared round with a booking at each teacher: Sem at juf Sanne, Lotte at meester Ahmed."""
    from schoolportal.meetings import booking

    def make():
        made = open_round(groups=("Groep 1/2A", "Groep 5"))
        sanne, ahmed = slots_of(made, TEACHER), slots_of(made, OTHER_TEACHER)
        sem, lotte = child_of(PARENT), child_of(OTHER_PARENT)
        booking.book(sanne[0], sem.id, User.by_email(PARENT))
        booking.book(ahmed[0], lotte.id, User.by_email(OTHER_PARENT))
        made.sanne_slots = [s.id for s in sanne]
        made.ahmed_slots = [s.id for s in ahmed]
        made.ahmed_booking = MeetingBooking.get(MeetingBooking.pupil == lotte.id).id
        made.sanne_booking = MeetingBooking.get(MeetingBooking.pupil == sem.id).id
        made.ahmed_block = MeetingBlock.get(
            MeetingBlock.teacher == User.by_email(OTHER_TEACHER)).id
        made.ahmed_id = User.by_email(OTHER_TEACHER).id
        return made

    return _run(app, make)


def test_the_schedule_shows_a_teacher_only_their_own_times(login_as, shared):
    sanne = login_as(TEACHER)
    for url in (f"/meetings/rounds/{shared.id}/schedule?all=1",
                f"/meetings/rounds/{shared.id}/schedule"):
        html = sanne.get(url).get_data(as_text=True)
        assert "Sem Jansen" in html
        assert "Lotte" not in html and "meester Ahmed" not in html and "Bakker" not in html
        assert "Alle leerkrachten" not in html


def test_the_admin_still_sees_every_teacher(admin, shared):
    html = admin.get(f"/meetings/rounds/{shared.id}/schedule?all=1").get_data(as_text=True)
    assert "Sem Jansen" in html and "Lotte Bakker" in html and "meester Ahmed" in html


def test_a_teacher_cannot_touch_another_teachers_times(app, login_as, shared):
    sanne = login_as(TEACHER)
    page = sanne.get(f"/meetings/rounds/{shared.id}/edit").get_data(as_text=True)
    token = csrf_token_from(page)
    slot, booking_id = shared.ahmed_slots[1], shared.ahmed_booking
    for url in (f"/meetings/slots/{slot}/book-for",
                f"/meetings/bookings/{booking_id}/cancel-by-staff",
                f"/meetings/bookings/{booking_id}/meeting.ics"):
        assert sanne.get(url).status_code == 404, url
    for url, data in ((f"/meetings/slots/{slot}/block", {}),
                      (f"/meetings/slots/{slot}/unblock", {}),
                      (f"/meetings/slots/{slot}/book-for", {"who": "1:0"}),
                      (f"/meetings/bookings/{booking_id}/cancel-by-staff", {"reason": "Weg"}),
                      (f"/meetings/blocks/{shared.ahmed_block}/remove", {})):
        assert sanne.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    assert _run(app, lambda: MeetingSlot.get_by_id(slot).status) == "free"
    assert _run(app, lambda: MeetingBooking.get_or_none(id=booking_id)) is not None
    assert _run(app, lambda: MeetingBlock.get_or_none(id=shared.ahmed_block)) is not None


def test_the_round_editor_offers_only_ones_own_times(app, login_as, shared):
    sanne = login_as(TEACHER)
    page = sanne.get(f"/meetings/rounds/{shared.id}/edit").get_data(as_text=True)
    assert "juf Sanne" in page and "meester Ahmed" not in page
    before = _run(app, lambda: MeetingSlot.select().count())
    response = sanne.post(f"/meetings/rounds/{shared.id}/blocks", data={
        "csrf_token": csrf_token_from(page), "teacher": shared.ahmed_id,
        "day": (meeting_day()).isoformat(), "starts": "15:00", "ends": "16:00",
        "slot_minutes": 10, "gap_minutes": 0})
    assert response.status_code == 422
    assert _run(app, lambda: MeetingSlot.select().count()) == before


def test_each_teacher_still_manages_their_own(app, login_as, shared):
    ahmed = login_as(OTHER_TEACHER)
    url = f"/meetings/slots/{shared.ahmed_slots[2]}/book-for"
    page = ahmed.get(url).get_data(as_text=True)
    assert "Lotte Bakker" in page and "Sem Jansen" not in page
    assert ahmed.get(f"/meetings/bookings/{shared.ahmed_booking}/meeting.ics").status_code == 200
    assert ahmed.get(f"/meetings/bookings/{shared.sanne_booking}/meeting.ics").status_code == 404
    response = ahmed.post(f"/meetings/slots/{shared.ahmed_slots[3]}/block",
                          data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert _run(app, lambda: MeetingSlot.get_by_id(shared.ahmed_slots[3]).status) == "blocked"
    assert _run(app, lambda: child_of(OTHER_PARENT).group.name) == "Groep 5"
