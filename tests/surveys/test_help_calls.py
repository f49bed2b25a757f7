"""Calls for help: capacity held by the database (also under 30 simultaneous taps), sign-up
and withdrawal with and without htmx, who sees what, bad input, and the reminder."""

import threading
from datetime import timedelta

import pytest
from peewee import IntegrityError

from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import OutboxMail, User
from schoolportal.surveys import calls
from schoolportal.surveys.models import HelpCall, HelpSignup
from tests.support.web import (
    OTHER_PARENT,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
    run_worker,
)


def _in_db(app, work):
    """Run work() with a connection and return its result."""
    with app.app_context(), db.connection_context():
        return work()


def make_call(app, group="Groep 1/2A", places=4, days=10, title="4 begeleiders voor de excursie"):
    """A call for help in a group (None: the whole school); returns its id."""
    def create():
        from schoolportal.core.models import Group
        group_row = Group.get(Group.name == group) if group else None
        return HelpCall.create(title=title, group=group_row, places=places,
                               event_on=school_today() + timedelta(days=days),
                               created_by=User.by_email(TEACHER)).id
    return _in_db(app, create)


def _state(app, call_id):
    """(taken, number of sign-up rows) of a call."""
    return _in_db(app, lambda: (HelpCall.get_by_id(call_id).taken,
                                HelpSignup.select().where(HelpSignup.call == call_id).count()))


def _post(client, url, page_url, headers=None):
    """Post a button form with the CSRF token of the page it is on."""
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token}, headers=headers or {})


# --- The domain, without HTTP -----------------------------------------------------------

def test_signing_up_stops_at_the_number_of_places(db_ctx):
    parents = list(User.select().where(User.role == "parent").order_by(User.id).limit(3))
    call = HelpCall.create(title="2 rijders", places=2, event_on=school_today() + timedelta(days=3))
    today = school_today()
    outcomes = [calls.sign_up(call, parent, today) for parent in parents]
    assert outcomes == [calls.SignUp.SIGNED_UP, calls.SignUp.SIGNED_UP,
                        calls.SignUp.FULL]
    assert calls.sign_up(call, parents[0], today) == calls.SignUp.ALREADY
    assert HelpCall.get_by_id(call.id).taken == 2
    # The sign-up row of the one who found it full was rolled back.
    assert HelpSignup.select().where(HelpSignup.call == call).count() == 2
    assert calls.withdraw(call, parents[0], today) is True
    assert calls.withdraw(call, parents[0], today) is False
    assert calls.sign_up(call, parents[2], today) == calls.SignUp.SIGNED_UP
    assert [u.id for u in calls.helpers_of([call])[call.id]] == [parents[1].id, parents[2].id]


def test_a_past_call_takes_no_sign_ups(db_ctx):
    parent = User.by_email(PARENT)
    call = HelpCall.create(title="Gisteren", places=2, event_on=school_today() - timedelta(days=1))
    assert calls.sign_up(call, parent, school_today()) == calls.SignUp.CLOSED
    assert HelpSignup.select().count() == 0


def test_the_database_refuses_more_sign_ups_than_places(db_ctx):
    call = HelpCall.create(title="1 plek", places=1, event_on=school_today())
    with pytest.raises(IntegrityError), db_ctx.atomic():
        HelpCall.update(taken=2).where(HelpCall.id == call.id).execute()
    with pytest.raises(IntegrityError), db_ctx.atomic():
        HelpCall.create(title="Te veel", places=0, event_on=school_today())
    with pytest.raises(IntegrityError), db_ctx.atomic():
        twice = [{"call": call.id, "parent": User.by_email(PARENT).id}] * 2
        HelpSignup.insert_many(twice).execute()


def test_places_cannot_drop_below_the_sign_ups(db_ctx):
    call = HelpCall.create(title="3 plekken", places=3, event_on=school_today())
    for email in (PARENT, OTHER_PARENT):
        calls.sign_up(call, User.by_email(email), school_today())
    assert calls.change_places(call, 1) is False
    assert calls.change_places(call, 2) is True
    assert HelpCall.get_by_id(call.id).places == 2


# --- 30 parents tap at the same moment ---------------------------------------------------

def test_thirty_simultaneous_sign_ups_for_four_places(app, login_as):
    call_id = make_call(app, group=None, places=4, title="4 begeleiders nodig")
    emails = _in_db(app, lambda: [u.email for u in User.select().where(
        (User.role == "parent") & User.password_hash.is_null(False)).order_by(User.id).limit(30)])
    assert len(emails) == 30
    page = f"/surveys/calls/{call_id}"
    clients = [login_as(email) for email in emails]
    tokens = [csrf_token_from(c.get(page).get_data(as_text=True)) for c in clients]
    start, results = threading.Barrier(len(clients)), [None] * len(clients)

    def tap(n):
        start.wait(timeout=30)
        response = clients[n].post(f"{page}/signup", data={"csrf_token": tokens[n]})
        results[n] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "sign-ups did not finish within a minute"
    codes = sorted(code for code, _body in results)
    assert codes == [302] * 4 + [409] * 26, codes  # no 500s, no other answers
    assert all("vol" in body for code, body in results if code == 409)
    assert _state(app, call_id) == (4, 4)


# --- Pages -------------------------------------------------------------------------------

def test_parent_signs_up_with_one_tap_and_sees_who_else_helps(app, parent, login_as):
    call_id = make_call(app, places=2)
    helper = login_as(TWO_GROUP_PARENT)
    assert _post(helper, f"/surveys/calls/{call_id}/signup", f"/surveys/calls/{call_id}"
                 ).status_code == 302
    page = f"/surveys/calls/{call_id}"
    response = _post(parent, f"{page}/signup", page, headers={"HX-Request": "true"})
    # htmx follows the redirect; the test client shows what the redirect gives it.
    assert response.status_code == 302
    fragment = parent.get(page, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="surveys-call"' in fragment
    assert "Nadia El Mansouri" in fragment and "Eva Jansen" in fragment
    assert "Dank je wel! Je hebt je aangemeld." in fragment  # the flash, out of band
    assert "Vol" in fragment and "Afmelden" in fragment
    full_page = parent.get(page).get_data(as_text=True)
    assert "<html" in full_page and "2 van 2 plekken bezet" not in full_page  # full shows "Vol"
    assert _state(app, call_id) == (2, 2)


def test_a_full_call_says_vol_to_the_next_parent(app, parent, other_parent, login_as):
    call_id = make_call(app, group=None, places=1)
    page = f"/surveys/calls/{call_id}"
    assert _post(other_parent, f"{page}/signup", page).status_code == 302
    html = parent.get(page).get_data(as_text=True)
    assert "Vol" in html and "Meld mij aan" not in html
    # A tap from a page loaded before it filled up: a clear "vol", nothing changed.
    for headers in ({}, {"HX-Request": "true"}):
        response = _post(parent, f"{page}/signup", page, headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 409 and "dit oproepje is vol" in body
        assert ("<html" in body) == (not headers)
    assert _state(app, call_id) == (1, 1)


def test_withdrawing_frees_the_place(app, parent):
    call_id = make_call(app, places=1)
    page = f"/surveys/calls/{call_id}"
    _post(parent, f"{page}/signup", page)
    response = _post(parent, f"{page}/withdraw", page, headers={"HX-Request": "true"})
    assert response.status_code == 302
    html = parent.get(page, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "je plek is weer vrij" in html and "Meld mij aan" in html
    assert _state(app, call_id) == (0, 0)


def test_other_groups_and_visitors_reach_nothing(app, other_parent, client, login_as):
    call_id = make_call(app, group="Groep 1/2A")
    page = f"/surveys/calls/{call_id}"
    assert other_parent.get(page).status_code == 404
    assert "4 begeleiders" not in other_parent.get("/surveys").get_data(as_text=True)
    token = csrf_token_from(other_parent.get("/surveys").get_data(as_text=True))
    for url in (f"{page}/signup", f"{page}/withdraw"):
        assert other_parent.post(url, data={"csrf_token": token}).status_code == 404
    assert other_parent.get(f"{page}/edit").status_code == 403
    for guess in ("/surveys/calls/999999", "/surveys/calls/99999999999999999999"):
        assert other_parent.get(guess).status_code == 404
    other_teacher = login_as("meester.ahmed@example.org")
    assert other_teacher.get(page).status_code == 404
    assert other_teacher.get(f"{page}/edit").status_code == 404
    assert client.get(page).headers["Location"].startswith("/login")
    assert client.post(f"{page}/signup").status_code in (400, 401)
    assert _state(app, call_id) == (0, 0)


def test_staff_organise_but_do_not_sign_up(app, teacher):
    call_id = make_call(app)
    page = f"/surveys/calls/{call_id}"
    assert "Meld mij aan" not in teacher.get(page).get_data(as_text=True)
    assert _post(teacher, f"{page}/signup", page).status_code == 404


def test_sign_up_without_csrf_changes_nothing(app, parent):
    call_id = make_call(app)
    assert parent.post(f"/surveys/calls/{call_id}/signup").status_code == 400
    assert parent.post(f"/surveys/calls/{call_id}/signup",
                       data={"csrf_token": "forged"}).status_code == 400
    assert _state(app, call_id) == (0, 0)


def _call_form(client, url):
    """The token of the call form."""
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_teacher_posts_a_call_for_own_group(app, teacher, groups, parent):
    token = _call_form(teacher, "/surveys/calls/new")
    day = (school_today() + timedelta(days=12)).isoformat()
    response = teacher.post("/surveys/calls/new", data={
        "csrf_token": token, "title": "4 begeleiders nodig voor de excursie op 12 mei",
        "description": "We gaan met de bus.", "group": str(groups["Groep 1/2A"].id),
        "event_on": day, "places": "4"})
    assert response.status_code == 302
    html = parent.get("/surveys").get_data(as_text=True)
    assert "4 begeleiders nodig voor de excursie op 12 mei" in html
    assert "0 van 4 plekken bezet" in html
    assert "4 begeleiders nodig" in parent.get("/").get_data(as_text=True)  # home panel


@pytest.mark.parametrize("changes", [
    {"title": ""}, {"title": "x" * 10_000}, {"places": "0"}, {"places": "201"},
    {"places": "veel"}, {"event_on": "2001-01-01"}, {"event_on": "morgen"}, {"group": "school"},
    {"group": "other"}, {"title": "Hulp\x00nodig"},
])
def test_bad_call_input_is_refused(app, teacher, groups, changes):
    data = {"csrf_token": _call_form(teacher, "/surveys/calls/new"), "title": "Hulp nodig",
            "group": str(groups["Groep 1/2A"].id), "places": "2",
            "event_on": (school_today() + timedelta(days=3)).isoformat(), **changes}
    if data["group"] == "other":
        data["group"] = str(groups["Groep 5"].id)  # not juf Sanne's group
    response = teacher.post("/surveys/calls/new", data=data)
    assert response.status_code == 422 and "field__error" in response.get_data(as_text=True)
    assert _in_db(app, HelpCall.select().count) == 0


def test_places_cannot_be_set_below_the_sign_ups(app, teacher, parent, other_parent, groups):
    call_id = make_call(app, group=None, places=3)
    for client in (parent, other_parent):
        _post(client, f"/surveys/calls/{call_id}/signup", f"/surveys/calls/{call_id}")
    _in_db(app, lambda: HelpCall.update(group=groups["Groep 1/2A"].id).execute())
    url = f"/surveys/calls/{call_id}/edit"
    data = {"csrf_token": _call_form(teacher, url), "title": "Nieuwe titel", "places": "1",
            "group": str(groups["Groep 1/2A"].id),
            "event_on": (school_today() + timedelta(days=3)).isoformat()}
    response = teacher.post(url, data=data)
    assert response.status_code == 422
    assert "al 2 mensen aangemeld" in response.get_data(as_text=True)
    title = _in_db(app, lambda: HelpCall.get_by_id(call_id).title)
    assert title == "4 begeleiders voor de excursie"
    assert teacher.post(url, data={**data, "places": "2"}).status_code == 302
    assert _in_db(app, lambda: HelpCall.get_by_id(call_id).places) == 2


def test_helpers_are_reminded_the_day_before_once(app, smtp_server, parent, other_parent):
    call_id = make_call(app, group=None, places=3, days=1)
    for client in (parent, other_parent):
        _post(client, f"/surveys/calls/{call_id}/signup", f"/surveys/calls/{call_id}")
    _in_db(app, lambda: User.update(mail_notifications="never").where(
        User.email == OTHER_PARENT).execute())
    run_worker(app)
    [mail] = smtp_server.to(PARENT)
    assert "Herinnering: 4 begeleiders voor de excursie" in mail["Subject"]
    assert f"/surveys/calls/{call_id}" in mail.get_body(("plain",)).get_content()
    assert smtp_server.to(OTHER_PARENT) == []  # chose "no email"
    assert _in_db(app, lambda: calls.remind_helpers(school_today())) == 0  # once only
    assert _in_db(app, lambda: OutboxMail.select().where(
        OutboxMail.template == "surveys/call_reminder").count()) == 1


def test_the_list_says_which_calls_this_parent_helps_with(db_ctx):
    today = school_today()
    first, second = (HelpCall.create(title=title, places=3, event_on=today + timedelta(days=4))
                     for title in ("Rijders", "Luizenpluizen"))
    parent, other = User.by_email(PARENT), User.by_email(TWO_GROUP_PARENT)
    calls.sign_up(first, parent, today)
    calls.sign_up(second, other, today)
    mine = {row.call.id: row.helping for row in calls.upcoming_for(parent, today)}
    assert mine[first.id] is True and mine[second.id] is False
    staff = calls.upcoming_for(User.by_email(TEACHER), today)
    assert staff and not any(row.helping for row in staff)
