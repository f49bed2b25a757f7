"""Invitations (the domain, without HTTP): invite, link, resend, withdraw, activate once."""

import re
from datetime import timedelta

import pytest

from schoolportal.auth import passwords
from schoolportal.core.models import (
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from schoolportal.invitations import service
from schoolportal.invitations.models import Invitation
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, run_worker

NEW = "nieuwe.ouder@example.org"


def _pupil(group_name="Groep 1/2A", first_name=None):
    """A pupil of a demo group (by first name if given)."""
    query = Pupil.select().join(Group).where(Group.name == group_name)
    if first_name:
        query = query.where(Pupil.first_name == first_name)
    return query.order_by(Pupil.id).first()


def _mails(template=None):
    """The queued mails, oldest first, optionally of one template."""
    query = OutboxMail.select().order_by(OutboxMail.id)
    if template:
        query = query.where(OutboxMail.template == template)
    return list(query)


def _token_in(mail):
    """The activation token in a mail's link."""
    return re.search(r"/activate/([A-Za-z0-9_-]+)", mail.body_text).group(1)


def test_inviting_a_new_address_makes_a_pending_account_linked_to_the_child(db_ctx):
    sem = _pupil(first_name="Sem")
    invitation = service.invite_guardian(sem, "  Nieuwe.Ouder@Example.org ")

    user = User.by_email(NEW)
    assert user.role == "parent" and user.password_hash is None and user.active
    assert Guardianship.select().where(
        (Guardianship.guardian == user) & (Guardianship.pupil == sem)).exists()
    assert invitation.user_id == user.id and invitation.pupil_id == sem.id
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    [mail] = _mails()
    assert mail.to_email == NEW and mail.template == "invitations/invitation"
    assert "als ouder of verzorger van Sem" in mail.body_text
    assert "http://127.0.0.1:5000/activate/" in mail.body_text
    assert service.find_usable(_token_in(mail)).id == invitation.id


def test_the_invitation_arrives_over_smtp_with_the_link(app, db_ctx, smtp_server):
    service.invite_guardian(_pupil(), NEW)
    run_worker(app)
    [message] = smtp_server.to(NEW)
    assert "uitnodiging" in message["Subject"].lower()
    assert re.search(r"http://127\.0\.0\.1:5000/activate/[\w-]{43}",
                     message.get_body(("plain",)).get_content())


def test_an_active_account_is_linked_and_told_instead_of_invited(db_ctx):
    lotte = _pupil("Groep 5", "Lotte")
    assert service.invite_guardian(lotte, PARENT) is None

    parent = User.by_email(PARENT)
    assert Guardianship.select().where(
        (Guardianship.guardian == parent) & (Guardianship.pupil == lotte)).exists()
    assert Invitation.select().count() == 0
    [mail] = _mails()
    assert mail.template == "invitations/child_linked" and mail.to_email == PARENT
    assert "Lotte Bakker (Groep 5) is nu aan je account gekoppeld" in mail.body_text


def test_linking_an_account_a_second_time_sends_no_second_mail(db_ctx):
    lotte = _pupil("Groep 5", "Lotte")
    service.invite_guardian(lotte, OTHER_PARENT)  # her own parent: linked already
    assert _mails() == []


def test_a_staff_address_cannot_become_a_guardian(db_ctx):
    with pytest.raises(service.InvitationError, match="medewerker"):
        service.invite_guardian(_pupil(), TEACHER)
    assert not Guardianship.select().where(
        Guardianship.guardian == User.by_email(TEACHER)).exists()
    assert _mails() == [] and Invitation.select().count() == 0


def test_a_deactivated_account_is_not_invited(db_ctx):
    User.update(active=False).where(User.email == OTHER_PARENT).execute()
    with pytest.raises(service.InvitationError):
        service.invite_guardian(_pupil(), OTHER_PARENT)
    assert _mails() == []


def test_resend_replaces_the_link(db_ctx):
    first = service.invite_guardian(_pupil(), NEW)
    old_token = _token_in(_mails()[0])
    second = service.resend(first)

    assert service.find_usable(old_token) is None
    new_token = _token_in(_mails()[1])
    assert new_token != old_token
    assert service.find_usable(new_token).id == second.id
    assert Invitation.get_by_id(first.id).revoked_at is not None


def test_resend_refuses_an_account_that_is_active_already(db_ctx):
    invitation = service.invite_guardian(_pupil(), NEW)
    service.activate(_token_in(_mails()[0]), "Nieuwe Ouder", "een lang wachtwoord", "nl")
    with pytest.raises(service.InvitationError):
        service.resend(invitation)
    assert len(_mails()) == 1


def test_revoke_stops_the_link_once(db_ctx):
    invitation = service.invite_guardian(_pupil(), NEW)
    token = _token_in(_mails()[0])
    assert service.revoke(invitation) is True
    assert service.revoke(invitation) is False
    assert service.find_usable(token) is None
    assert service.activate(token, "X", "een lang wachtwoord", "nl") is None
    assert User.by_email(NEW).password_hash is None


def test_activate_works_once(db_ctx):
    service.invite_guardian(_pupil(), NEW)
    token = _token_in(_mails()[0])

    user = service.activate(token, "  Nieuwe Ouder ", "een lang wachtwoord", "en")
    assert user.email == NEW and user.display_name == "Nieuwe Ouder" and user.language == "en"
    assert passwords.verify_password(user.password_hash, "een lang wachtwoord")
    assert service.activate(token, "Iemand Anders", "een ander wachtwoord", "nl") is None
    again = User.by_email(NEW)
    assert again.display_name == "Nieuwe Ouder"
    assert passwords.verify_password(again.password_hash, "een lang wachtwoord")


def test_the_link_expires_after_14_days(db_ctx, monkeypatch):
    service.invite_guardian(_pupil(), NEW)
    token = _token_in(_mails()[0])
    start = utcnow()
    monkeypatch.setattr(service, "utcnow", lambda: start + timedelta(days=13, hours=23))
    assert service.find_usable(token) is not None
    monkeypatch.setattr(service, "utcnow", lambda: start + timedelta(days=14, minutes=1))
    assert service.find_usable(token) is None
    assert service.activate(token, "Te Laat", "een lang wachtwoord", "nl") is None


def test_a_deactivated_account_cannot_use_its_old_link(db_ctx):
    service.invite_guardian(_pupil(), NEW)
    token = _token_in(_mails()[0])
    User.update(active=False).where(User.email == NEW).execute()
    assert service.find_usable(token) is None
    assert service.activate(token, "X", "een lang wachtwoord", "nl") is None


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "é" * 43, "a" * 10_000, "../../etc"])
def test_made_up_tokens_find_nothing(db_ctx, token):
    service.invite_guardian(_pupil(), NEW)
    assert service.find_usable(token) is None


def test_staff_invitation_makes_a_staff_account_for_its_groups(db_ctx):
    group_5 = Group.get(Group.name == "Groep 5")
    invitation = service.invite_staff("meester.tim@example.org", "meester Tim",
                                          groups=[group_5])
    user = User.by_email("meester.tim@example.org")
    assert user.role == "staff" and user.display_name == "meester Tim"
    assert [gs.group_id for gs in GroupStaff.select().where(GroupStaff.staff == user)] == [
        group_5.id]
    assert invitation.pupil_id is None
    [mail] = _mails()
    assert "als medewerker" in mail.body_text


def test_guardians_of_shows_who_activated_and_who_is_invited(db_ctx):
    sem = _pupil(first_name="Sem")
    invitation = service.invite_guardian(sem, NEW)
    rows = {row.user.email: row for row in service.guardians_of(sem)}

    assert set(rows) == {PARENT, NEW}
    assert rows[PARENT].user.password_hash and rows[PARENT].invitation is None
    assert rows[NEW].invitation.id == invitation.id and rows[NEW].revocable
    assert rows[NEW].open_until == invitation.expires_at
    service.revoke(invitation)
    [row] = [r for r in service.guardians_of(sem) if r.user.email == NEW]
    assert row.invitation.id == invitation.id and not row.revocable and row.open_until is None


def test_a_new_account_gets_the_language_it_was_asked_in(db_ctx):
    from schoolportal.core.models import Pupil, User

    service.invite_guardian(Pupil.get(), "new.english@example.org", language="en")
    assert User.by_email("new.english@example.org").language == "en"
    service.invite_guardian(Pupil.get(), "new.klingon@example.org", language="tlh")
    assert User.by_email("new.klingon@example.org").language == "nl"
