"""The Meldingen screen with the test client, and what the choices do: defaults, digest."""

import gzip
import re
from datetime import time

from schoolportal.consent import service as consent_service
from schoolportal.consent.models import ConsentCategory
from schoolportal.core.database import write_transaction
from schoolportal.core.models import OutboxMail, Pupil, User
from schoolportal.notifications import choices, digest
from schoolportal.notifications.models import NotificationChoice, QuietHours
from tests.support.web import PARENT, TEACHER, csrf_token_from

PARENT_KINDS = ("group_news", "school_news", "messages", "meetings", "surveys")


def _form(client, **changes):
    """The screen's form as the browser would send it, with some fields changed."""
    html = client.get("/account/notifications").get_data(as_text=True)
    data = {f"kind_{kind}": "push" for kind in PARENT_KINDS}
    data.update(quiet="y", quiet_from="21:00", quiet_until="07:00",
                csrf_token=csrf_token_from(html))
    data.update(changes)
    return data


def test_each_role_sees_its_own_kinds(parent, teacher):
    html = parent.get("/account/notifications").get_data(as_text=True)
    assert "Nieuws in de groep van mijn kind" in html and "Afwezigheidsmeldingen" not in html
    assert re.search(r'<input checked id="quiet"', html) and 'value="21:00"' in html
    staff = teacher.get("/account/notifications").get_data(as_text=True)
    assert "Afwezigheidsmeldingen" in staff and "Nieuws in de groep van mijn kind" not in staff
    assert "Stel je werktijden in" in staff


def test_choices_are_stored_and_bad_ones_change_nothing(ctx, parent):
    response = parent.post("/account/notifications",
                           data=_form(parent, kind_surveys="digest", quiet_from="22:00"))
    assert response.status_code == 302

    def stored():
        user = User.by_email(PARENT)
        return choices.choices_of(user), choices.quiet_hours_of([user])[user.id]

    saved = ctx(stored)
    assert saved == ({**dict.fromkeys(PARENT_KINDS, "push"), "surveys": "digest"},
                     (time(22, 0), time(7, 0)))
    for bad in ({"kind_messages": "hourly"}, {"kind_messages": ""}, {"quiet_until": "25:00"},
                {"quiet_from": ""}):
        response = parent.post("/account/notifications", data=_form(parent, **bad))
        assert response.status_code == 422, bad
    assert ctx(stored) == saved
    fragment = parent.post("/account/notifications", headers={"HX-Request": "true"},
                           data=_form(parent, kind_messages="hourly"))
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and "<html" not in html and "notifications-choices" in html


def test_the_old_mail_choice_gives_the_defaults(ctx):
    def defaults(old):
        user = User.by_email(PARENT)
        user.mail_notifications = old
        return choices.choices_of(user)

    assert ctx(defaults, "immediately")["group_news"] == "push"
    assert ctx(defaults, "daily")["group_news"] == "digest"
    assert ctx(defaults, "daily")["meetings"] == "push"  # "daily" was about news and messages
    assert set(ctx(defaults, "never").values()) == {"off"}


def test_a_digest_choice_waits_for_the_daily_summary(app, ctx, teacher):
    html = teacher.get("/account/notifications").get_data(as_text=True)
    response = teacher.post("/account/notifications", data={
        "kind_messages": "push", "kind_meetings": "push", "kind_absence": "push",
        "kind_consent": "digest", "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302

    def change_consent():
        with write_transaction():
            consent_service.install_default_categories()
        category = ConsentCategory.select().where(ConsentCategory.active == True).first()  # noqa: E712
        consent_service.set_choice(Pupil.get(Pupil.first_name == "Sem"), category, True,
                                   User.by_email(PARENT))
        return [m.subject for m in OutboxMail.select().where(OutboxMail.to_email == TEACHER)]

    assert ctx(change_consent) == []  # not at once

    def summary():
        digest.send_digests()
        return [(m.subject, m.body_text) for m in OutboxMail.select().where(
            OutboxMail.to_email == TEACHER)]

    [(subject, text)] = ctx(summary)
    assert subject == "Je dagelijks overzicht"
    assert "Toestemming beeldmateriaal gewijzigd in Groep 1/2A" in text
    assert ctx(summary) == [(subject, text)]  # once


def test_erasing_an_account_takes_its_choices_along(ctx, parent):
    parent.post("/account/notifications", data=_form(parent))

    def gone():
        User.delete().where(User.email == PARENT).execute()
        return NotificationChoice.select().count(), QuietHours.select().count()

    assert ctx(gone) == (0, 0)


def test_the_screen_is_light_and_runs_few_queries(app, parent, teacher):
    from py_vapid import Vapid02

    from tests.support.queries import statements_for
    from tests.support.weight import LIMIT, first_load_bytes

    key = Vapid02()
    key.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = key.private_pem().decode()
    for client in (parent, teacher):
        assert statements_for(client, "/account/notifications") <= 10
        html = client.get("/account/notifications").get_data()
        assert len(gzip.compress(html)) <= 14 * 1024
        assert first_load_bytes(client, "/account/notifications") <= LIMIT
