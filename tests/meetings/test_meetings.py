"""Meetings over HTTP: the family's grid, booking in one tap, the round editor, the schedule."""

import re
from datetime import time, timedelta

import pytest

from schoolportal.core import outbox
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Guardianship, OutboxMail, User, utcnow
from schoolportal.meetings import booking
from schoolportal.meetings.models import (
    MeetingBlock,
    MeetingBooking,
    MeetingRequest,
    MeetingRound,
    MeetingSlot,
)
from tests.meetings.test_booking import child_of, meeting_day, open_round, slots_of
from tests.support.queries import QueryCounter
from tests.support.web import (
    OTHER_PARENT,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
    run_worker,
)

HTMX = {"HX-Request": "true"}
TAKEN_NL = "Net bezet, kies een ander tijdstip."


@pytest.fixture
def meeting_round(app):
    """An open round for Groep 1/2A and Groep 5 (juf Sanne 19:00, meester Ahmed 19:05)."""
    with app.app_context(), db.connection_context():
        made = open_round(groups=("Groep 1/2A", "Groep 5"),
                          starts={TEACHER: time(19, 0), OTHER_TEACHER: time(19, 5)})
        made.sanne = [s.id for s in slots_of(made, TEACHER)]
        made.ahmed = [s.id for s in slots_of(made, OTHER_TEACHER)]
        made.sem = child_of(PARENT).id
        made.lotte = child_of(OTHER_PARENT).id
        made.yasmin = child_of(TWO_GROUP_PARENT, "Groep 1/2A").id
        made.adam = child_of(TWO_GROUP_PARENT, "Groep 5").id
        return made


def _in_db(app, function):
    """Run a function with a database connection and return its result."""
    with app.app_context(), db.connection_context():
        return function()


def _book(client, pupil, slot, headers=None, token=None):
    """Tap a time in the grid, with the token from the page."""
    token = token or csrf_token_from(client.get("/meetings").get_data(as_text=True))
    return client.post("/meetings/book", data={"pupil": pupil, "slot": slot,
                                               "csrf_token": token}, headers=headers or {})


def test_the_parent_sees_the_grid_of_the_childs_teacher(parent, meeting_round):
    html = parent.get("/meetings").get_data(as_text=True)
    assert "Rapportgesprekken" in html and "Sem" in html and "juf Sanne" in html
    assert html.count('name="slot"') == 6  # Sanne's six times; not meester Ahmed's
    assert "Tik op een tijd om te boeken." in html


def test_the_grid_comes_as_a_fragment_for_htmx(parent, meeting_round):
    response = parent.get("/meetings", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="meetings-grid"' in html and "HX-Request" in response.headers["Vary"]


def test_booking_in_one_tap_without_javascript(app, parent, meeting_round):
    response = _book(parent, meeting_round.sem, meeting_round.sanne[0])
    assert response.status_code == 302 and response.headers["Location"] == "/meetings"
    html = parent.get("/meetings").get_data(as_text=True)
    assert "Geboekt:" in html and "Je krijgt een bevestiging per e-mail." in html
    assert html.count('name="slot"') == 5
    [waiting] = _in_db(app, lambda: list(OutboxMail.select()))
    # The tap wrote only the ids; the worker renders the mail.
    assert waiting.body_text == "" and '"booking":' in waiting.context
    assert _in_db(app, outbox.render_all_waiting) == 1
    [mail] = _in_db(app, lambda: list(OutboxMail.select().where(
        OutboxMail.template == "meetings/confirmed")))
    assert mail.context is None and mail.subject.startswith("Gesprek geboekt")
    assert mail.to_email == PARENT and "/meeting.ics" in mail.body_text
    assert "juf Sanne" in mail.body_text and "Lokaal 12" in mail.body_text


def test_booking_with_htmx_answers_with_the_refreshed_grid(parent, meeting_round):
    response = _book(parent, meeting_round.sem, meeting_round.sanne[0], headers=HTMX)
    assert response.status_code == 200  # no redirect: one round trip on a slow phone
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="meetings-grid"' in html
    assert "Geboekt:" in html and '<hx-partial hx-target="#flash-messages"' in html
    assert 'hx-target="#site-nav"' not in html  # no menu counter changes: none recounted


def test_the_loser_of_a_race_gets_the_friendly_conflict_and_a_fresh_grid(
        app, parent, login_as, meeting_round):
    other = login_as(TWO_GROUP_PARENT)
    token = csrf_token_from(other.get("/meetings").get_data(as_text=True))
    assert _book(parent, meeting_round.sem, meeting_round.sanne[0]).status_code == 302
    for headers in ({}, HTMX):
        response = _book(other, meeting_round.yasmin, meeting_round.sanne[0], headers, token)
        html = response.get_data(as_text=True)
        assert response.status_code == 409 and TAKEN_NL in html
        assert f'value="{meeting_round.sanne[0]}"' not in html  # the taken time is gone
        assert ("<html" in html) == (not headers)
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 1


def test_both_guardians_see_the_booking_and_can_change_it(app, login_as, parent, meeting_round):
    def add_father():
        father = User.create(email="peter.jansen@example.org", display_name="Peter Jansen",
                             role="parent", password_hash=User.by_email(PARENT).password_hash)
        Guardianship.create(guardian=father, pupil=meeting_round.sem)
    _in_db(app, add_father)
    father = login_as("peter.jansen@example.org")
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    assert "Geboekt:" in father.get("/meetings").get_data(as_text=True)
    assert _book(father, meeting_round.sem, meeting_round.sanne[2]).status_code == 302
    assert _in_db(app, lambda: [b.slot_id for b in MeetingBooking.select()]) == [
        meeting_round.sanne[2]]
    # Rendered by the worker after the change: the first confirmation (its booking is gone)
    # is dropped, the father's says the time changed.
    assert _in_db(app, outbox.render_all_waiting) == 1
    [changed] = _in_db(app, lambda: list(OutboxMail.select()))
    assert changed.to_email == "peter.jansen@example.org"
    assert "Je gesprek is gewijzigd." in changed.body_text


def test_the_worker_renders_the_confirmation_and_delivers_it(app, parent, meeting_round,
                                                              smtp_server):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    assert "Sent 1 mails" in run_worker(app)
    [message] = smtp_server.to(PARENT)
    assert message["Subject"].startswith("Gesprek geboekt: ")
    text = message.get_body(("plain",)).get_content()
    assert "juf Sanne" in text and "Lokaal 12" in text and "/meeting.ics" in text
    assert _in_db(app, lambda: OutboxMail.get().context) is None


def test_a_confirmation_of_a_booking_cancelled_before_the_worker_came_is_dropped(
        app, parent, meeting_round, smtp_server):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    token = csrf_token_from(parent.get("/meetings").get_data(as_text=True))
    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    parent.post(f"/meetings/bookings/{booking_id}/cancel", data={"csrf_token": token})
    _book(parent, meeting_round.sem, meeting_round.sanne[1])  # may get the same id (SQLite)
    run_worker(app)
    subjects = [m["Subject"] for m in smtp_server.to(PARENT)]
    assert len([s for s in subjects if s.startswith("Gesprek geboekt")]) == 1
    [mail] = _in_db(app, lambda: list(OutboxMail.select().where(
        OutboxMail.template == "meetings/confirmed")))
    assert mail.status == "sent"


def test_a_mail_whose_rendering_fails_waits_for_a_later_round(app, parent, meeting_round,
                                                              smtp_server, monkeypatch):
    def broken(ids):
        raise RuntimeError("template bug")

    monkeypatch.setitem(outbox.RENDERERS, "meetings/confirmed", broken)
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    run_worker(app)
    mail = _in_db(app, OutboxMail.get)
    assert mail.status == "pending" and "template bug" in mail.last_error
    assert mail.context and smtp_server.to(PARENT) == []


def test_cancelling_frees_the_time(app, parent, meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    token = csrf_token_from(parent.get("/meetings").get_data(as_text=True))
    response = parent.post(f"/meetings/bookings/{booking_id}/cancel",
                           data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 302  # htmx follows it, keeping HX-Request
    html = parent.get(response.headers["Location"], headers=HTMX).get_data(as_text=True)
    assert "<html" not in html
    assert "Je gesprek is geannuleerd." in html and html.count('name="slot"') == 6
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 0


def test_after_sign_up_closes_parents_cannot_change_or_cancel(app, parent, meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    _in_db(app, lambda: MeetingRound.update(closes_at=utcnow() - timedelta(minutes=1)).execute())
    html = parent.get("/meetings").get_data(as_text=True)
    assert "Geboekt:" in html and 'name="slot"' not in html
    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    response = parent.post(f"/meetings/bookings/{booking_id}/cancel",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 409 and _in_db(app, MeetingBooking.select().count) == 1
    response = _book(parent, meeting_round.sem, meeting_round.sanne[1], token=csrf_token_from(html))
    assert response.status_code == 409


def test_a_family_sees_both_children_and_back_to_back_offers(app, login_as, meeting_round):
    family = login_as(TWO_GROUP_PARENT)
    html = family.get("/meetings").get_data(as_text=True)
    assert "Yasmin" in html and "Adam" in html and "Achter elkaar" in html
    token = csrf_token_from(html)
    first = re.search(r'name="first_slot" value="(\d+)"', html).group(1)
    second = re.search(r'name="second_slot" value="(\d+)"', html).group(1)
    pupils = re.findall(r'name="(?:first|second)_pupil" value="(\d+)"', html)[:2]
    response = family.post("/meetings/book-pair", data={
        "first_pupil": pupils[0], "first_slot": first, "second_pupil": pupils[1],
        "second_slot": second, "csrf_token": token})
    assert response.status_code == 302
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 2


def test_a_family_cannot_book_overlapping_times_over_http(app, login_as, meeting_round):
    family = login_as(TWO_GROUP_PARENT)
    token = csrf_token_from(family.get("/meetings").get_data(as_text=True))
    assert _book(family, meeting_round.yasmin, meeting_round.sanne[0], token=token
                 ).status_code == 302
    response = _book(family, meeting_round.adam, meeting_round.ahmed[0], token=token)
    assert response.status_code == 409
    assert "Op dat tijdstip heb je al een ander gesprek." in response.get_data(as_text=True)


def test_a_parent_of_another_group_sees_nothing_of_the_round(app, login_as, other_parent):
    _in_db(app, lambda: open_round(groups=("Groep 1/2A",)))
    html = other_parent.get("/meetings").get_data(as_text=True)
    assert "Rapportgesprekken" not in html and "juf Sanne" not in html
    round_id = _in_db(app, lambda: MeetingRound.get().id)
    slot_id = _in_db(app, lambda: MeetingSlot.select().first().id)
    token = csrf_token_from(html)
    lotte = _in_db(app, lambda: child_of(OTHER_PARENT).id)
    sem = _in_db(app, lambda: child_of(PARENT).id)
    for pupil in (lotte, sem, 99999999999):
        response = other_parent.post("/meetings/book", data={
            "pupil": pupil, "slot": slot_id, "csrf_token": token})
        assert response.status_code in (404, 422)
    for url in (f"/meetings/rounds/{round_id}/edit", f"/meetings/rounds/{round_id}/schedule",
                f"/meetings/slots/{slot_id}/book-for"):
        assert other_parent.get(url).status_code == 403  # staff pages
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 0


def test_logged_out_visitors_go_to_the_login_page(client, meeting_round):
    assert client.get("/meetings").status_code == 302
    assert client.get("/meetings", headers=HTMX).status_code == 401
    assert client.post("/meetings/book", data={"pupil": 1, "slot": 1}).status_code in (400, 401)


def test_a_post_without_csrf_changes_nothing(app, parent, meeting_round):
    response = parent.post("/meetings/book", data={"pupil": meeting_round.sem,
                                                   "slot": meeting_round.sanne[0]})
    assert response.status_code == 400
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 0


@pytest.mark.parametrize("data", [{}, {"pupil": "x", "slot": "y"}, {"pupil": "1" * 5000},
                                  {"pupil": "-1", "slot": "0"}])
def test_hostile_booking_input_is_refused(app, parent, meeting_round, data):
    token = csrf_token_from(parent.get("/meetings").get_data(as_text=True))
    response = parent.post("/meetings/book", data={**data, "csrf_token": token})
    assert response.status_code in (404, 422)
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 0


def test_the_grid_page_runs_a_bounded_number_of_queries(app, login_as, meeting_round):
    family = login_as(TWO_GROUP_PARENT)
    family.get("/meetings")
    with QueryCounter() as counter:
        assert family.get("/meetings").status_code == 200
    assert counter.count <= 10, counter.statements


# --- Staff: the round editor, publishing, the schedule -----------------------------------

def _round_form(teacher, known_groups, **changes):
    """A filled-in round form."""
    page = teacher.get("/meetings/rounds/new").get_data(as_text=True)
    start = utcnow() + timedelta(days=1)
    data = {"csrf_token": csrf_token_from(page), "title": "Kennismakingsgesprekken",
            "kind": "introduction", "groups": [known_groups["Groep 1/2A"].id], "place": "Lokaal 3",
            "video_url": "", "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")}
    data.update(changes)
    return data


def test_staff_create_a_round_add_times_and_publish(app, teacher, groups):
    response = teacher.post("/meetings/rounds/new", data=_round_form(teacher, groups))
    assert response.status_code == 302
    editor = response.headers["Location"]
    page = teacher.get(editor).get_data(as_text=True)
    assert "Kennismakingsgesprekken" in page and "Publiceren" in page
    teacher_id = _in_db(app, lambda: User.by_email(TEACHER).id)
    response = teacher.post(editor.replace("/edit", "/blocks"), data={
        "csrf_token": csrf_token_from(page), "teacher": teacher_id,
        "day": meeting_day().isoformat(), "starts": "15:00", "ends": "16:00",
        "slot_minutes": 15, "gap_minutes": 0, "break_starts": "", "break_ends": ""})
    assert response.status_code == 302
    assert _in_db(app, lambda: MeetingSlot.select().count()) == 4
    round_id = _in_db(app, lambda: MeetingRound.get().id)
    response = teacher.post(f"/meetings/rounds/{round_id}/publish",
                            data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    mails = _in_db(app, lambda: list(OutboxMail.select().where(
        OutboxMail.template == "meetings/published")))
    addresses = {m.to_email for m in mails}
    assert PARENT in addresses and TWO_GROUP_PARENT in addresses
    assert OTHER_PARENT not in addresses  # Groep 5 is not invited


def test_publishing_skips_parents_who_chose_no_mail(app, teacher, groups, smtp_server):
    _in_db(app, lambda: User.update(mail_notifications="never").where(
        User.email == PARENT).execute())
    made = _in_db(app, lambda: open_round(published=False))
    page = teacher.get(f"/meetings/rounds/{made.id}/edit").get_data(as_text=True)
    teacher.post(f"/meetings/rounds/{made.id}/publish", data={"csrf_token": csrf_token_from(page)})
    run_worker(app)
    assert smtp_server.to(TWO_GROUP_PARENT) and not smtp_server.to(PARENT)
    [message] = smtp_server.to(TWO_GROUP_PARENT)
    assert "Rapportgesprekken" in message["Subject"]


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Vul een titel in."),
    ({"title": "x" * 10_000}, "Gebruik hoogstens 200 tekens."),
    ({"groups": []}, "Kies minstens één groep."),
    ({"video_url": "javascript:alert(1)"}, "https://"),
    ({"closes_at": "2020-01-01T10:00"}, "moet sluiten nadat"),
])
def test_a_bad_round_form_is_refused_with_a_message(app, teacher, groups, changes, message):
    response = teacher.post("/meetings/rounds/new", data=_round_form(teacher, groups, **changes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _in_db(app, lambda: MeetingRound.select().count()) == 0


def test_a_teacher_cannot_invite_a_group_not_theirs(app, teacher, groups):
    response = teacher.post("/meetings/rounds/new", data=_round_form(
        teacher, groups, groups=[groups["Groep 8"].id]))
    assert response.status_code == 422


def test_the_schedule_shows_who_comes_when_and_staff_act_on_it(app, teacher, parent,
                                                               meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    page = teacher.get(f"/meetings/rounds/{meeting_round.id}/schedule").get_data(as_text=True)
    assert "Sem Jansen" in page and "Eva Jansen" in page and "meester Ahmed" not in page
    token = csrf_token_from(page)
    assert teacher.post(f"/meetings/slots/{meeting_round.sanne[1]}/block",
                        data={"csrf_token": token}).status_code == 302
    assert _in_db(app, lambda: MeetingSlot.get_by_id(meeting_round.sanne[1]).status) == "blocked"
    assert f'value="{meeting_round.sanne[1]}"' not in parent.get("/meetings").get_data(
        as_text=True)
    teacher.post(f"/meetings/slots/{meeting_round.sanne[1]}/unblock", data={"csrf_token": token})
    assert _in_db(app, lambda: MeetingSlot.get_by_id(meeting_round.sanne[1]).status) == "free"


def test_a_teacher_cancels_with_a_reason_and_the_parent_is_told(app, teacher, parent,
                                                                meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    url = f"/meetings/bookings/{booking_id}/cancel-by-staff"
    page = teacher.get(url).get_data(as_text=True)
    response = teacher.post(url, data={"csrf_token": csrf_token_from(page), "reason": ""})
    assert response.status_code == 422
    response = teacher.post(url, data={"csrf_token": csrf_token_from(page),
                                       "reason": "Ik ben die avond ziek."})
    assert response.status_code == 302
    [mail] = _in_db(app, lambda: list(OutboxMail.select().where(
        OutboxMail.template == "meetings/cancelled")))
    assert mail.to_email == PARENT and "Ik ben die avond ziek." in mail.body_text
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 0


def test_staff_book_on_behalf_of_a_parent(app, teacher, meeting_round):
    url = f"/meetings/slots/{meeting_round.sanne[2]}/book-for"
    page = teacher.get(url).get_data(as_text=True)
    assert "Sem Jansen" in page and "Lotte" not in page  # only juf Sanne's group
    response = teacher.post(url, data={"csrf_token": csrf_token_from(page),
                                       "who": f"{meeting_round.sem}:0"})
    assert response.status_code == 302
    row = _in_db(app, lambda: MeetingBooking.get())
    assert row.by_staff and row.pupil_id == meeting_round.sem
    assert _in_db(app, lambda: OutboxMail.get(OutboxMail.template == "meetings/confirmed").to_email
                  ) == PARENT
    response = teacher.post(url, data={"csrf_token": csrf_token_from(page),
                                       "who": f"{meeting_round.lotte}:0"})
    assert response.status_code == 422  # not a choice: Lotte is in Groep 5


def test_another_teacher_cannot_touch_a_round_without_their_group(app, login_as):
    made = _in_db(app, lambda: open_round(groups=("Groep 1/2A",)))
    slot = _in_db(app, lambda: MeetingSlot.select().first().id)
    marloes = login_as("juf.marloes@example.org")
    for url in (f"/meetings/rounds/{made.id}/edit", f"/meetings/rounds/{made.id}/schedule",
                f"/meetings/slots/{slot}/book-for", "/meetings/rounds/99999999999/edit"):
        assert marloes.get(url).status_code == 404, url


def test_a_block_with_a_booking_stays(app, teacher, parent, meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    block_id = _in_db(app, lambda: MeetingBlock.get(MeetingBlock.teacher == User.by_email(
        TEACHER)).id)
    page = teacher.get(f"/meetings/rounds/{meeting_round.id}/edit").get_data(as_text=True)
    teacher.post(f"/meetings/blocks/{block_id}/remove", data={"csrf_token": csrf_token_from(page)})
    assert _in_db(app, lambda: MeetingBlock.select().count()) == 2


# --- Individual meetings -----------------------------------------------------------------

def test_a_parent_asks_the_teacher_offers_and_the_parent_picks(app, parent, teacher):
    page = parent.get("/meetings/requests/new").get_data(as_text=True)
    sem = _in_db(app, lambda: child_of(PARENT).id)
    sanne = _in_db(app, lambda: User.by_email(TEACHER).id)
    response = parent.post("/meetings/requests/new", data={
        "csrf_token": csrf_token_from(page), "who": f"{sem}:{sanne}",
        "reason": "Sem is de laatste tijd erg moe 😴"})
    assert response.status_code == 302
    url = response.headers["Location"]
    request_mail = _in_db(app, lambda: OutboxMail.get(OutboxMail.template == "meetings/request"))
    assert request_mail.to_email == TEACHER and "erg moe" in request_mail.body_text

    page = teacher.get(url).get_data(as_text=True)
    assert "erg moe 😴" in page
    later = (meeting_day() + timedelta(days=1)).isoformat()
    response = teacher.post(url + "/offer", data={
        "csrf_token": csrf_token_from(page), "start_1": f"{later}T15:00",
        "start_2": f"{later}T15:30", "start_3": "", "minutes": 15, "place": "Lokaal 4"})
    assert response.status_code == 302
    assert _in_db(app, lambda: OutboxMail.get(OutboxMail.template == "meetings/offer").to_email
                  ) == PARENT

    page = parent.get(url).get_data(as_text=True)
    slot_ids = re.findall(r'name="slot" value="(\d+)"', page)
    assert len(slot_ids) == 2
    response = parent.post(url + "/pick", data={"csrf_token": csrf_token_from(page),
                                                "slot": slot_ids[0]}, headers=HTMX)
    assert response.status_code == 302
    fragment = parent.get(url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Geboekt:" in fragment
    assert _in_db(app, lambda: MeetingRequest.get().status) == "booked"
    templates = _in_db(app, lambda: {m.template for m in OutboxMail.select()})
    assert {"meetings/picked", "meetings/confirmed"} <= templates

    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    response = parent.post(f"/meetings/bookings/{booking_id}/cancel",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == url
    told = _in_db(app, lambda: OutboxMail.get(OutboxMail.template == "meetings/cancelled"))
    assert told.to_email == TEACHER and "Eva Jansen heeft dit gesprek geannuleerd" in told.body_text
    assert _in_db(app, lambda: MeetingRequest.get().status) == "offered"


def test_an_offered_time_is_picked_once(app, parent, teacher, login_as):
    def make():
        request = MeetingRequest.create(pupil=child_of(PARENT), asked_by=User.by_email(PARENT),
                                        teacher=User.by_email(TEACHER), reason="Even praten")
        from schoolportal.meetings import requests as meeting_requests
        from schoolportal.meetings.rounds import to_local
        meeting_requests.offer(request, [to_local(utcnow() + timedelta(days=3))], 15, "")
        return request.id, MeetingSlot.get().id
    request_id, slot_id = _in_db(app, make)
    page = parent.get(f"/meetings/requests/{request_id}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert parent.post(f"/meetings/requests/{request_id}/pick",
                       data={"csrf_token": token, "slot": slot_id}).status_code == 302
    again = parent.post(f"/meetings/requests/{request_id}/pick",
                        data={"csrf_token": token, "slot": slot_id})
    assert again.status_code == 409 and TAKEN_NL in again.get_data(as_text=True)
    # Nobody else reaches the request.
    for other in (login_as(OTHER_PARENT), login_as(OTHER_TEACHER)):
        assert other.get(f"/meetings/requests/{request_id}").status_code == 404
    assert _in_db(app, lambda: MeetingBooking.select().count()) == 1


def test_a_request_needs_a_reason_and_a_real_choice(app, parent):
    page = parent.get("/meetings/requests/new").get_data(as_text=True)
    for data in ({"who": "1:1", "reason": "hoi"}, {"who": "", "reason": "x" * 10_000}):
        response = parent.post("/meetings/requests/new",
                               data={**data, "csrf_token": csrf_token_from(page)})
        assert response.status_code == 422
    assert _in_db(app, lambda: MeetingRequest.select().count()) == 0


# --- Around it: menu, home page, calendar file, demo -------------------------------------

def test_menu_and_home_panel(app, parent, teacher, meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    home = parent.get("/").get_data(as_text=True)
    assert 'href="/meetings"' in home and "Gesprekken" in home and "juf Sanne" in home
    assert "Sem Jansen" in teacher.get("/").get_data(as_text=True)


def test_the_calendar_file_of_a_booking(app, parent, other_parent, meeting_round):
    _book(parent, meeting_round.sem, meeting_round.sanne[0])
    booking_id = _in_db(app, lambda: MeetingBooking.get().id)
    response = parent.get(f"/meetings/bookings/{booking_id}/meeting.ics")
    assert response.mimetype == "text/calendar" and b"BEGIN:VEVENT" in response.data
    assert other_parent.get(f"/meetings/bookings/{booking_id}/meeting.ics").status_code == 404


def test_the_demo_round_is_open_with_some_bookings_and_seeded_once(app):
    from schoolportal.meetings.demo import seed as seed_demo_round

    def seed_twice():

        for _ in range(2):
            seed_demo_round(school_today())
        made = MeetingRound.get()
        assert made.is_open(utcnow())
        return (MeetingRound.select().count(), MeetingBooking.select().count(),
                MeetingRequest.select().count(), len(booking.bookings_for(
                    User.by_email(TEACHER))))
    rounds_count, bookings, requests, sanne = _in_db(app, seed_twice)
    assert (rounds_count, requests) == (1, 1) and bookings >= 4 and sanne >= 2


def test_a_grid_of_a_hundred_times_stays_light(app, parent):
    from tests.support.weight import LIMIT, first_load_bytes

    _in_db(app, lambda: open_round(groups=("Groep 1/2A",), count=100, slot_minutes=5,
                                   starts={TEACHER: time(8, 0)}))
    assert parent.get("/meetings").get_data(as_text=True).count('name="slot"') == 100
    size = first_load_bytes(parent, "/meetings")
    print(f"/meetings with 100 times: {size} bytes gzip")
    assert size <= LIMIT


def test_a_teacher_saving_a_shared_round_keeps_a_colleagues_group(app, teacher, meeting_round,
                                                                  groups):
    page = teacher.get(f"/meetings/rounds/{meeting_round.id}/edit").get_data(as_text=True)
    assert "Ook voor (groepen van collega's): Groep 5" in page
    data = _round_form(teacher, groups, title="Rapportgesprekken (nieuw)")
    data["csrf_token"] = csrf_token_from(page)
    response = teacher.post(f"/meetings/rounds/{meeting_round.id}/edit", data=data)
    assert response.status_code == 302
    from schoolportal.meetings import rounds

    names = _in_db(app, lambda: [g.name for g in rounds.groups_of(
        MeetingRound.get_by_id(meeting_round.id))])
    assert names == ["Groep 1/2A", "Groep 5"]


def test_separated_parents_each_book_their_own_meeting(app, login_as, parent):
    def prepare():
        made = open_round(one_per_guardian=True)
        father = User.create(email="peter.jansen@example.org", display_name="Peter Jansen",
                             role="parent", password_hash=User.by_email(PARENT).password_hash)
        Guardianship.create(guardian=father, pupil=child_of(PARENT))
        return [s.id for s in slots_of(made, TEACHER)], child_of(PARENT).id
    slots, sem = _in_db(app, prepare)
    father = login_as("peter.jansen@example.org")
    assert _book(parent, sem, slots[0]).status_code == 302
    assert "Geboekt:" not in father.get("/meetings").get_data(as_text=True)
    assert _book(father, sem, slots[3]).status_code == 302
    assert _in_db(app, lambda: sorted(b.slot_id for b in MeetingBooking.select())) == [
        slots[0], slots[3]]
    mine = parent.get("/meetings").get_data(as_text=True)
    assert mine.count('class="meetings-booked"') == 1 and f'value="{slots[3]}"' not in mine
