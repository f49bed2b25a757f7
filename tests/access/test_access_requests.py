"""Access requests without HTTP: storing, throttling, matching, approving, rejecting."""

import threading
from datetime import date, timedelta

import pytest

from schoolportal.access import service
from schoolportal.access.models import AccessRequest
from schoolportal.access.service import AccessRequestError, AlreadyDecided, Throttled
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Guardianship, OutboxMail, Pupil, User, utcnow
from schoolportal.invitations.models import Invitation
from tests.support.web import ADMIN, PARENT, TEACHER

TODAY = date(2026, 11, 20)


def _fields(**changes):
    """A valid request for Sem Jansen (a demo pupil), with changes."""
    fields = {
        "child_first_name": "Sem", "child_last_name": "Jansen",
        "child_birth_date": date(2021, 1, 1), "child_group": "", "requester_name": "Piet Jansen",
        "email": "piet.jansen@example.org", "relation": "parent", "note": "",
    }
    fields.update(changes)
    return fields


def _submit(ip="192.0.2.1", **changes):
    """Submit a request as the public form does."""
    return service.submit(ip, "nl", **_fields(**changes))


def _pupil(first="Sem", last="Jansen"):
    """A pupil of the demo school by name."""
    return Pupil.get((Pupil.first_name == first) & (Pupil.last_name == last))


def _young_pupil(birth_date):
    """A pupil in Groep 1/2A who is registered before turning 4."""
    group = Group.get(Group.name == "Groep 1/2A")
    return Pupil.create(first_name="Kiki", last_name="de Vries", birth_date=birth_date,
                        group=group)


def test_submit_stores_the_request_with_a_normalised_address(db_ctx):
    stored = _submit(email="  Piet.Jansen@EXAMPLE.org ", note="Wij zijn net verhuisd.")
    row = AccessRequest.get_by_id(stored.id)
    assert row.email == "piet.jansen@example.org"
    assert row.status == "pending" and row.pupil is None and row.decided_at is None
    assert row.declared_authority and row.ip == "192.0.2.1" and row.language == "nl"
    assert row.note == "Wij zijn net verhuisd."


def test_the_database_refuses_an_unknown_status_or_relation(db_ctx):
    from peewee import IntegrityError

    stored = _submit()
    for change in ({"status": "maybe"}, {"relation": "uncle"}):
        with pytest.raises(IntegrityError), db.atomic():
            AccessRequest.update(**change).where(AccessRequest.id == stored.id).execute()


def test_too_many_requests_from_one_network_address_are_refused(app, db_ctx):
    app.config["ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR"] = 3
    for n in range(3):
        _submit(email=f"ouder{n}@example.org")
    with pytest.raises(Throttled):
        _submit(email="ouder9@example.org")
    _submit(ip="198.51.100.7", email="ouder9@example.org")  # another network may go on
    assert AccessRequest.select().count() == 4


def test_too_many_requests_for_one_address_are_refused_whatever_the_case(db_ctx):
    for n in range(3):
        _submit(ip=f"192.0.2.{n}", email="Piet.Jansen@example.org")
    with pytest.raises(Throttled):
        _submit(ip="192.0.2.99", email="piet.jansen@EXAMPLE.ORG")
    assert AccessRequest.select().count() == 3


def test_old_requests_no_longer_count(db_ctx):
    for n in range(3):
        _submit(ip=f"192.0.2.{n}")
    AccessRequest.update(created_at=utcnow() - timedelta(days=1, minutes=1)).execute()
    _submit()  # a day later the address may ask again
    assert AccessRequest.select().count() == 4


@pytest.mark.parametrize(("born", "day", "age"), [
    (date(2022, 11, 20), date(2026, 11, 20), 4),
    (date(2022, 11, 21), date(2026, 11, 20), 3),
    (date(2020, 2, 29), date(2024, 2, 28), 3),
    (date(2020, 2, 29), date(2024, 2, 29), 4),
    (date(2020, 2, 29), date(2025, 2, 28), 4),
])
def test_age_counts_whole_years(born, day, age):
    assert service.age_on(born, day) == age


def test_suggestions_match_last_name_or_first_name_with_birth_date(db_ctx):
    sem = _pupil()
    by_last = _submit(child_first_name="Semmie", child_last_name="JANSEN")
    by_first = _submit(child_first_name="sem", child_last_name="Janssen",
                       child_birth_date=sem.birth_date, email="b@example.org")
    nothing = _submit(child_first_name="Sem", child_last_name="Onbekend", email="c@example.org")
    found = service.suggestions_for([by_last, by_first, nothing])
    assert sem in found[by_last.id]
    assert all(p.last_name == "Jansen" for p in found[by_last.id])
    assert found[by_first.id][0] == sem
    assert found[nothing.id] == []


def test_suggestions_ignore_capitals_beyond_a_to_z(db_ctx):
    sem = _pupil()
    elif_ = Pupil.create(first_name="Elif", last_name="Çelik", birth_date=date(2018, 6, 1),
                         group=sem.group)
    request = _submit(child_first_name="elif", child_last_name="çelik")
    assert service.suggestions_for([request])[request.id] == [elif_]


def test_suggestions_put_the_best_match_first_and_leave_out_who_left(db_ctx):
    sem = _pupil()
    other = Pupil.create(first_name="Daan", last_name="Jansen", birth_date=date(2019, 5, 5),
                         group=sem.group)
    gone = Pupil.create(first_name="Sem", last_name="Jansen", birth_date=sem.birth_date,
                        group=sem.group, left_on=date(2020, 1, 1))
    request = _submit(child_birth_date=sem.birth_date)
    found = service.suggestions_for([request])[request.id]
    assert found[0] == sem and other in found and gone not in found


def test_suggestions_take_one_query_for_any_number_of_requests(db_ctx, monkeypatch):
    requests = [_submit(ip=f"192.0.2.{n}", email=f"o{n}@example.org",
                        child_last_name=name)
                for n, name in enumerate(["Jansen", "Bakker", "El Mansouri", "Visser"])]
    statements = []
    real = db.obj.execute_sql
    monkeypatch.setattr(db.obj, "execute_sql",
                        lambda sql, *a, **k: statements.append(sql) or real(sql, *a, **k))
    found = service.suggestions_for(requests)
    assert len(statements) == 1
    assert all(found[r.id] for r in requests[:3])


def test_approval_links_the_child_and_queues_the_invitation(db_ctx):
    sem, admin = _pupil(), User.by_email(ADMIN)
    request = _submit()
    decided = service.approve(request, sem, admin, today=TODAY)
    assert decided.status == "approved" and decided.pupil == sem
    assert decided.decided_by == admin and decided.decided_at is not None
    user = User.by_email("piet.jansen@example.org")
    assert user.role == "parent" and user.password_hash is None
    assert Guardianship.get_or_none(guardian=user, pupil=sem) is not None
    invitation = Invitation.get(Invitation.user == user)
    assert invitation.pupil == sem and invitation.invited_by == admin
    [mail] = OutboxMail.select().where(OutboxMail.to_email == "piet.jansen@example.org")
    assert mail.template == "invitations/invitation" and "/activate/" in mail.body_text


def test_approval_for_an_address_with_an_account_links_the_child(db_ctx):
    lotte = _pupil("Lotte", "Bakker")
    request = _submit(email=PARENT, child_first_name="Lotte", child_last_name="Bakker")
    service.approve(request, lotte, User.by_email(ADMIN), today=TODAY)
    parent = User.by_email(PARENT)
    assert Guardianship.get_or_none(guardian=parent, pupil=lotte) is not None
    assert Invitation.select().where(Invitation.user == parent).count() == 0
    [mail] = OutboxMail.select().where(OutboxMail.to_email == PARENT)
    assert mail.template == "invitations/child_linked"


def _nothing_changed(request):
    """The request is still pending and nobody was invited or mailed."""
    row = AccessRequest.get_by_id(request.id)
    assert row.status == "pending" and row.pupil is None and row.decided_by is None
    assert OutboxMail.select().count() == 0 and Invitation.select().count() == 0


def test_approval_for_a_child_under_4_is_refused(db_ctx):
    young = _young_pupil(birth_date=date(2022, 11, 21))  # 4 tomorrow
    request = _submit(child_first_name="Kiki", child_last_name="de Vries")
    with pytest.raises(AccessRequestError, match="2026"):
        service.approve(request, young, User.by_email(ADMIN), today=TODAY)
    _nothing_changed(request)
    assert Guardianship.select().where(Guardianship.pupil == young).count() == 0
    service.approve(request, young, User.by_email(ADMIN), today=TODAY + timedelta(1))
    assert AccessRequest.get_by_id(request.id).status == "approved"


def test_approval_for_a_staff_address_is_refused_and_changes_nothing(db_ctx):
    request = _submit(email=TEACHER)
    with pytest.raises(AccessRequestError):  # the message comes from invitations/service.py
        service.approve(request, _pupil(), User.by_email(ADMIN), today=TODAY)
    _nothing_changed(request)


def test_approval_needs_a_pupil(db_ctx):
    request = _submit()
    with pytest.raises(AccessRequestError):
        service.approve(request, None, User.by_email(ADMIN), today=TODAY)
    _nothing_changed(request)


def test_a_decided_request_cannot_be_decided_again(db_ctx):
    admin = User.by_email(ADMIN)
    request = _submit()
    service.approve(request, _pupil(), admin, today=TODAY)
    with pytest.raises(AlreadyDecided):
        service.approve(request, _pupil(), admin, today=TODAY)
    with pytest.raises(AlreadyDecided):
        service.reject(request, "Te laat", admin)
    assert AccessRequest.get_by_id(request.id).status == "approved"
    assert Invitation.select().count() == 1 and OutboxMail.select().count() == 1


def test_two_admins_approving_at_once_approve_once(app):
    with app.app_context(), db.connection_context():
        request = _submit()
        pupil, admin = _pupil(), User.by_email(ADMIN)
    start, outcomes = threading.Barrier(2), []

    def approve():
        with app.app_context(), db.connection_context():
            start.wait(timeout=10)
            try:
                service.approve(request, pupil, admin, today=TODAY)
                outcomes.append("approved")
            except AlreadyDecided:
                outcomes.append("already")
            except Exception as error:  # reported by the assert below
                outcomes.append(repr(error))

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already", "approved"]
    with app.app_context(), db.connection_context():
        assert Invitation.select().count() == 1
        assert OutboxMail.select().where(
            OutboxMail.template == "invitations/invitation").count() == 1


def test_rejection_records_the_reason_and_mails_it(db_ctx):
    request = _submit()
    decided = service.reject(request, "  Wij kennen geen leerling met deze naam.  ",
                                     User.by_email(ADMIN))
    assert decided.status == "rejected" and decided.reason == (
        "Wij kennen geen leerling met deze naam.")
    [mail] = OutboxMail.select()
    assert mail.to_email == "piet.jansen@example.org" and mail.template == "access/rejected"
    assert "Wij kennen geen leerling met deze naam." in mail.body_text
    assert "Piet Jansen" in mail.body_text and "Sem Jansen" in mail.body_text
    assert User.by_email("piet.jansen@example.org") is None  # no account for a rejection


def test_rejection_needs_a_reason(db_ctx):
    request = _submit()
    with pytest.raises(AccessRequestError):
        service.reject(request, "   ", User.by_email(ADMIN))
    _nothing_changed(request)


def test_pupil_found_by_number_in_any_case_but_not_after_leaving(db_ctx):
    assert service.find_pupil(pupil_number=" rb-1001 ") == _pupil()
    Pupil.update(left_on=date(2020, 1, 1)).where(Pupil.pupil_number == "RB-1001").execute()
    assert service.find_pupil(pupil_number="RB-1001") is None
    assert service.find_pupil() is None


def test_old_decisions_are_purged_but_pending_requests_stay(db_ctx):
    admin = User.by_email(ADMIN)
    old, recent, waiting = _submit(), _submit(email="b@example.org"), _submit(email="c@x.org")
    service.reject(old, "Nee", admin)
    service.reject(recent, "Nee", admin)
    AccessRequest.update(decided_at=utcnow() - timedelta(days=400),
                         created_at=utcnow() - timedelta(days=400)).where(
        AccessRequest.id.in_([old.id, waiting.id])).execute()
    assert service.purge_decided(days=365) == 1
    assert {r.id for r in AccessRequest.select()} == {recent.id, waiting.id}
