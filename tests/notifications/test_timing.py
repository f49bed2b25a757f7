"""At the right time: quiet hours, working hours, scheduled and urgent posts, with a
controlled clock in Europe/Amsterdam, also on the days the clocks change."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from schoolportal.core.models import AuditEntry, Group, GroupStaff, User
from schoolportal.feed.models import Post as FeedPost
from tests.notifications.test_push import write_to_teacher
from tests.support.web import ADMIN, OTHER_TEACHER, PARENT, TEACHER, csrf_token_from, run_worker

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(*parts):
    """An aware moment in Dutch time."""
    return datetime(*parts, tzinfo=AMSTERDAM)


def post_news(client, title, when="now", publish_at=None, urgent=False, group=True):
    """Post (or schedule) through the editor; returns the response."""
    html = client.get("/posts/new").get_data(as_text=True)
    audience = (re.search(r'name="audience" type="checkbox" value="(\d+)"', html).group(1)
                if group else "school")
    data = {"title": title, "kind": "message", "body": "Tekst", "audience": [audience],
            "when": when, "csrf_token": csrf_token_from(html)}
    if publish_at:
        data["publish_at"] = publish_at.strftime("%Y-%m-%dT%H:%M")
    if urgent:
        data["urgent"] = "y"
    return client.post("/posts/new", data=data)


def titles(push_service, token):
    """The titles that reached one device, in order."""
    return [p["title"] for p in push_service.payloads(token)]


@pytest.mark.parametrize("evening,summary_at_utc", [
    (local(2027, 1, 13, 22, 0), datetime(2027, 1, 14, 6, 0)),  # winter: 07:00 is 06:00 UTC
    (local(2027, 3, 27, 22, 0), datetime(2027, 3, 28, 5, 0)),  # clocks go forward that night
    (local(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 6, 0)),  # clocks go back that night
])
def test_quiet_hours_hold_pushes_until_seven_and_give_one_summary(
        app, login_as, turn_on, push_service, evening, summary_at_utc):
    with time_machine.travel(evening, tick=False) as clock:
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(parent)
        post_news(teacher, "Gymles gaat niet door")
        clock.shift(timedelta(minutes=20))
        post_news(teacher, "Luizencontrole")
        run_worker(app)
        assert titles(push_service, token) == []
        clock.move_to(summary_at_utc - timedelta(minutes=1))
        run_worker(app)
        assert titles(push_service, token) == []  # 06:59 in the Netherlands
        clock.move_to(summary_at_utc)
        run_worker(app)
        run_worker(app)
    [summary] = push_service.payloads(token)
    assert summary["title"] == "2 nieuwe meldingen"
    assert "Gymles gaat niet door" in summary["body"] and "Luizencontrole" in summary["body"]


def test_a_parent_may_turn_quiet_hours_off(app, login_as, turn_on, push_service):
    with time_machine.travel(local(2027, 1, 13, 23, 0), tick=False):
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(parent)
        html = parent.get("/account/notifications").get_data(as_text=True)
        data = {f"kind_{kind}": "push" for kind in
                ("group_news", "school_news", "messages", "meetings", "surveys")}
        response = parent.post("/account/notifications", data={
            **data, "quiet_from": "21:00", "quiet_until": "07:00",
            "csrf_token": csrf_token_from(html)})  # "quiet" unticked
        assert response.status_code == 302
        post_news(teacher, "Late nieuws")
        run_worker(app)
    assert titles(push_service, token) == ["Nieuw in Groep 1/2A"]


def test_working_hours_hold_a_parents_message_until_the_teacher_starts(
        app, ctx, login_as, turn_on, push_service):
    # Sunday 25 October 2026, the day the clocks go back; juf Sanne works Monday 08:00-16:00.
    with time_machine.travel(local(2026, 10, 25, 10, 0), tick=False) as clock:
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(teacher)
        html = teacher.get("/conversations/office-hours").get_data(as_text=True)
        teacher.post("/conversations/office-hours", data={
            "starts_0": "08:00", "ends_0": "16:00", "csrf_token": csrf_token_from(html)})
        location = write_to_teacher(parent)
        page = parent.get(location).get_data(as_text=True)
        assert "Je kunt een antwoord verwachten vanaf" in page and "08:00" in page
        run_worker(app)
        clock.move_to(datetime(2026, 10, 26, 6, 59))  # 07:59 Dutch winter time
        run_worker(app)
        assert titles(push_service, token) == []
        clock.move_to(datetime(2026, 10, 26, 7, 0))  # 08:00
        run_worker(app)
    assert titles(push_service, token) == ["Nieuw bericht van Eva Jansen"]


def test_a_message_to_all_teachers_of_a_group_reaches_each_of_them(
        app, ctx, login_as, turn_on, push_service):
    def duo():
        GroupStaff.create(staff=User.by_email(OTHER_TEACHER),
                          group=Group.get(Group.name == "Groep 1/2A"))

    ctx(duo)
    with time_machine.travel(local(2027, 1, 13, 12, 0), tick=False):
        parent = login_as(PARENT)
        sanne, ahmed = turn_on(login_as(TEACHER)), turn_on(login_as(OTHER_TEACHER))
        html = parent.get("/conversations/new").get_data(as_text=True)
        assert "Alle leerkrachten van Sem" in html
        key = re.search(r'value="(group-\d+-\d+)"', html).group(1)
        response = parent.post("/conversations/new", data={
            "recipient": key, "subject": "Schoolreis", "body": "Mag Sem mee?",
            "csrf_token": csrf_token_from(html)})
        assert response.status_code == 302
        run_worker(app)
    assert titles(push_service, sanne) == titles(push_service, ahmed) == [
        "Nieuw bericht van Eva Jansen"]


def test_a_scheduled_post_notifies_when_it_appears_and_once_after_a_change(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(local(2027, 3, 24, 12, 0), tick=False) as clock:
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(parent)
        response = post_news(teacher, "Open dag", when="later",
                             publish_at=local(2027, 3, 25, 10, 0))
        post_path = response.headers["Location"]
        run_worker(app)
        edit = teacher.get(post_path + "/edit").get_data(as_text=True)
        teacher.post(post_path + "/edit", data={
            "title": "Open dag (verzet)", "kind": "message", "body": "Tekst", "when": "later",
            "publish_at": "2027-03-29T10:00", "csrf_token": csrf_token_from(edit)})
        clock.move_to(local(2027, 3, 25, 10, 0))
        run_worker(app)
        assert titles(push_service, token) == []  # moved to Monday: nothing on Thursday
        clock.move_to(local(2027, 3, 29, 9, 59))  # after the clocks went forward
        run_worker(app)
        assert titles(push_service, token) == []
        clock.move_to(local(2027, 3, 29, 10, 0))
        run_worker(app)
        run_worker(app)
    assert push_service.payloads(token) == [
        {"title": "Nieuw in Groep 1/2A", "body": "Open dag (verzet)", "url": post_path,
         "tag": push_service.payloads(token)[0]["tag"]}]


def test_an_urgent_post_goes_through_quiet_hours_and_is_in_the_audit_log(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(local(2027, 1, 13, 23, 30), tick=False):
        parent, admin, teacher = login_as(PARENT), login_as(ADMIN), login_as(TEACHER)
        token = turn_on(parent)
        refused = post_news(teacher, "Ik ben dringend", urgent=True)
        assert refused.status_code == 422
        assert "Alleen de administratie en de directie" in refused.get_data(as_text=True)
        assert post_news(admin, "School morgen dicht", urgent=True,
                         group=False).status_code == 302
        run_worker(app)
    assert titles(push_service, token) == ["Dringend: School morgen dicht"]
    entries = ctx(lambda: [(e.action, e.actor.email) for e in AuditEntry.select().where(
        AuditEntry.action == "urgent_post")])
    assert entries == [("urgent_post", ADMIN)]
    assert ctx(lambda: FeedPost.select().where(FeedPost.title == "Ik ben dringend").count()) == 0
