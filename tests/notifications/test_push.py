"""Web Push end to end: the portal's worker posts to our own push service on 127.0.0.1.

The service checks each VAPID JWT (signature, aud, exp at most 24 h ahead) and decrypts the
aes128gcm payload with the subscription's private key: what it decrypts is what the user
would see on the lock screen.
"""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from schoolportal.absence import service as absence
from schoolportal.core.models import OutboxMail, Pupil, User
from schoolportal.notifications.models import PushDelivery
from tests.support.web import (
    OTHER_PARENT,
    PARENT,
    TEACHER,
    csrf_token_from,
    login,
    run_worker,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEDNESDAY_NOON = datetime(2027, 1, 13, 12, 0, tzinfo=AMSTERDAM)


def write_to_teacher(parent_client, subject="Vraag", body="Sem heeft koorts en blijft thuis"):
    """A parent starts a conversation with the child's teacher; returns its path."""
    html = parent_client.get("/conversations/new").get_data(as_text=True)
    key = re.search(r'value="(staff-\d+-\d+)"', html).group(1)
    response = parent_client.post("/conversations/new", data={
        "recipient": key, "subject": subject, "body": body, "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    return response.headers["Location"]


def mails_to(ctx, email):
    """The subjects of the mails queued for an address."""
    return ctx(lambda: [m.subject for m in OutboxMail.select().where(
        OutboxMail.to_email == email).order_by(OutboxMail.id)])


def test_a_message_reaches_the_teachers_phone_saying_only_who_wrote(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(teacher)
        location = write_to_teacher(parent)
        run_worker(app)
    assert push_service.refused == []
    [payload] = push_service.payloads(token)
    assert payload["title"] == "Nieuw bericht van Eva Jansen"
    assert payload["url"] == location and payload["body"] == ""
    assert "koorts" not in json.dumps(payload) and "Vraag" not in json.dumps(payload)
    [received] = push_service.received
    assert received.claims["aud"] == push_service.origin
    assert received.headers["ttl"] == str(24 * 3600)
    assert mails_to(ctx, TEACHER) == []  # a push instead of a mail, not both


def test_news_reaches_a_parent_with_a_device_and_mail_reaches_one_without(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(parent)
        html = teacher.get("/posts/new").get_data(as_text=True)
        group_id = re.search(r'name="audience" type="checkbox" value="(\d+)"', html).group(1)
        response = teacher.post("/posts/new", data={
            "title": "Schoolreisje", "kind": "message", "body": "Naar de dierentuin",
            "audience": [group_id], "when": "now", "csrf_token": csrf_token_from(html)})
        post_path = response.headers["Location"]
        run_worker(app)
    [payload] = push_service.payloads(token)
    assert payload["title"] == "Nieuw in Groep 1/2A" and payload["body"] == "Schoolreisje"
    assert payload["url"] == post_path and "dierentuin" not in json.dumps(payload)
    assert mails_to(ctx, PARENT) == []
    assert mails_to(ctx, "ouder.elmansouri@example.org") == [
        "Nieuw in Groep 1/2A: Schoolreisje"]  # no device: mail, as before


def test_an_absence_push_names_the_group_never_the_child_or_the_reason(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        teacher = login_as(TEACHER)
        token = turn_on(teacher)

        def report():
            sem = Pupil.get(Pupil.first_name == "Sem")
            absence.report(sem, User.by_email(PARENT), "k" * 20, reason="other",
                           reason_text="Begrafenis opa", starts_on=WEDNESDAY_NOON.date(),
                           ends_on=WEDNESDAY_NOON.date())

        ctx(report)
        run_worker(app)
    [payload] = push_service.payloads(token)
    assert payload["title"] == "Nieuwe afwezigheidsmelding in Groep 1/2A"
    text = json.dumps(payload)
    assert "Sem" not in text and "Begrafenis" not in text and "opa" not in text
    assert payload["url"].startswith("/afwezigheid/")


def test_a_gone_subscription_is_removed_and_mail_takes_over(
        app, ctx, login_as, turn_on, push_service, devices):
    with time_machine.travel(WEDNESDAY_NOON, tick=False) as clock:
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        token = turn_on(teacher)
        push_service.gone.add(token)  # the browser dropped the subscription
        write_to_teacher(parent)
        run_worker(app)
        assert devices(TEACHER) == [] and push_service.received == []
        clock.shift(timedelta(minutes=5))
        write_to_teacher(parent, subject="Nog een vraag")
        run_worker(app)
    assert mails_to(ctx, TEACHER) == ["Nieuw bericht van Eva Jansen"]
    assert ctx(lambda: PushDelivery.select().count()) == 0  # went with the subscription


def test_errors_and_a_stopped_service_lose_nothing_and_duplicate_nothing(
        app, ctx, login_as, turn_on, push_service):
    with time_machine.travel(WEDNESDAY_NOON, tick=False) as clock:
        parent, teacher = login_as(PARENT), login_as(TEACHER)
        other_parent = login_as(OTHER_PARENT)
        other_teacher = login_as("meester.ahmed@example.org")
        sanne, ahmed = turn_on(teacher), turn_on(other_teacher)
        push_service.answers = [503, 500]
        write_to_teacher(parent)
        run_worker(app)  # 503
        assert push_service.received == []
        clock.shift(timedelta(seconds=30))
        run_worker(app)  # still waiting (back-off of 60 s): no request at all
        assert push_service.requests == 1
        clock.shift(timedelta(minutes=2))
        run_worker(app)  # 500
        push_service.stop()
        write_to_teacher(other_parent, body="Lotte is ziek")
        clock.shift(timedelta(minutes=10))
        run_worker(app)  # nobody answers: both wait
        assert push_service.received == []
        push_service.start()
        clock.shift(timedelta(hours=1))
        run_worker(app)
        run_worker(app)
        clock.shift(timedelta(days=1))
        run_worker(app)
    assert [p["title"] for p in push_service.payloads(sanne)] == ["Nieuw bericht van Eva Jansen"]
    assert [p["title"] for p in push_service.payloads(ahmed)] == [
        "Nieuw bericht van Mark Bakker"]
    assert push_service.refused == []
    statuses = ctx(lambda: sorted((d.status, d.attempts) for d in PushDelivery.select()))
    assert statuses == [("sent", 2), ("sent", 4)]


def test_turning_a_device_on_and_off(app, parent, other_parent, turn_on, push_service,
                                     devices):
    turn_on(parent, user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Safari/605")
    html = parent.get("/account/notifications").get_data(as_text=True)
    assert "Safari · iPhone" in html and "Uitzetten" in html
    device_id = re.search(r"/account/notifications/devices/(\d+)/delete", html).group(1)
    url = f"/account/notifications/devices/{device_id}/delete"
    token = csrf_token_from(other_parent.get("/account/notifications").get_data(as_text=True))
    assert other_parent.post(url, data={"csrf_token": token}).status_code == 404
    assert len(devices(PARENT)) == 1
    response = parent.post(url, data={"csrf_token": csrf_token_from(html)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "niet aan voor een apparaat" in response.get_data(as_text=True)
    assert devices(PARENT) == []


def test_a_bad_subscription_is_refused_and_nothing_stored(parent, push_service, devices):
    html = parent.get("/account/notifications").get_data(as_text=True)
    good = push_service.subscribe()
    for bad in ({"p256dh": "abc"}, {"auth": "x" * 40}, {"endpoint": "http://10.0.0.8/push/x"},
                {"endpoint": "https://192.168.1.1/x"}, {"endpoint": "file:///etc/passwd"}):
        response = parent.post("/account/notifications/devices",
                               data={**good, **bad, "csrf_token": csrf_token_from(html)})
        assert response.status_code == 422, bad
    assert parent.post("/account/notifications/devices", data=good).status_code == 400  # CSRF
    assert devices(PARENT) == []


def test_no_key_pair_means_no_button_and_pushes_wait(app, parent):
    app.config["VAPID_PRIVATE_KEY"] = ""
    app.instance_path = str(app.config["MEDIA_ROOT"]) + "-instance"  # no key file there
    html = parent.get("/account/notifications").get_data(as_text=True)
    assert "notifications-turn-on" not in html and "nog niet ingesteld" in html


def test_the_key_pair_command_makes_one_key_and_keeps_it(app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    app.config["VAPID_PRIVATE_KEY"] = ""
    first = app.test_cli_runner().invoke(args=["vapid-keys"])
    assert first.exit_code == 0 and "made" in first.output
    key_file = tmp_path / "instance" / "vapid_private.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = app.test_cli_runner().invoke(args=["vapid-keys"])
    assert "present" in second.output
    public = re.search(r"public key ([\w-]+)", first.output).group(1)
    assert public == re.search(r"public key ([\w-]+)", second.output).group(1)
    client = app.test_client()
    login(client, PARENT)
    html = client.get("/account/notifications").get_data(as_text=True)
    assert f'data-key="{public}"' in html  # browsers subscribe with this key


def test_two_processes_making_the_key_at_once_share_one(app, tmp_path, monkeypatch):
    from schoolportal.notifications import vapid

    app.instance_path = str(tmp_path / "instance")
    app.config["VAPID_PRIVATE_KEY"] = ""
    with app.app_context():
        first, made = vapid.ensure(app)
        real, calls = vapid.load, []

        def looked_too_early(app=None):  # the other process checked before the file was there
            calls.append(app)
            return None if len(calls) == 1 else real(app)

        monkeypatch.setattr(vapid, "load", looked_too_early)
        second, made_again = vapid.ensure(app)
    assert made and not made_again
    assert vapid.public_key(second) == vapid.public_key(first)
