"""The administration domain without HTTP: groups, pupils leaving, guardians, staff, outbox."""

import threading
from datetime import date, timedelta

import pytest

from schoolportal import authz
from schoolportal.admin import policy, service
from schoolportal.admin.service import AdministrationError
from schoolportal.core import sessions
from schoolportal.core.clock import school_today
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENT,
    ROLE_ADMIN,
    ROLE_STAFF,
    AuthSession,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from schoolportal.invitations import service as invitations_service
from schoolportal.invitations.models import Invitation
from tests.support.web import ADMIN, OTHER_TEACHER, PARENT, TEACHER, TWO_GROUP_PARENT


def _pupil(first_name):
    return Pupil.select(Pupil, Group).join(Group).where(Pupil.first_name == first_name).get()


def _group(name):
    return Group.get(Group.name == name)


def _second_admin():
    """The demo school's other admin (the office), activated."""
    return User.by_email("administratie@example.org")


# --- Groups ----------------------------------------------------------------------------

def test_a_group_name_is_unique_within_a_school_year(db_ctx):
    year = _group("Groep 5").school_year
    with pytest.raises(AdministrationError, match="bestaat al een groep"):
        service.save_group(None, "Groep 5", year, 5)
    assert Group.select().where(Group.name == "Groep 5").count() == 1
    next_year = f"{int(year[:4]) + 1}-{int(year[:4]) + 2}"
    assert service.save_group(None, "Groep 5", next_year, 5).id


def test_renaming_onto_an_existing_name_is_refused_and_changes_nothing(db_ctx):
    group = _group("Groep 8")
    with pytest.raises(AdministrationError):
        service.save_group(group, "Groep 5", group.school_year, 8)
    assert Group.get_by_id(group.id).name == "Groep 8"


def test_only_an_empty_group_can_be_deleted(db_ctx):
    with pytest.raises(AdministrationError, match="kan niet worden verwijderd"):
        service.delete_group(_group("Groep 5"))
    assert Group.select().where(Group.name == "Groep 5").count() == 1
    empty = service.save_group(None, "Groep 3", "2026-2027", 3)
    GroupStaff.create(staff=User.by_email(TEACHER), group=empty)
    service.delete_group(empty)
    assert Group.get_or_none(Group.id == empty.id) is None


# --- Pupils ----------------------------------------------------------------------------

def test_a_pupil_number_belongs_to_one_pupil(db_ctx):
    values = {"first_name": "Nina", "last_name": "Kok", "birth_date": date(2019, 3, 1),
              "group": _group("Groep 1/2A"), "pupil_number": "RB-1001"}
    with pytest.raises(AdministrationError, match="leerlingnummer"):
        service.save_pupil(None, **values)
    values["pupil_number"] = "  "
    assert service.save_pupil(None, **values).pupil_number is None


def test_a_pupil_who_left_disappears_for_parents_and_teachers(db_ctx):
    sem = _pupil("Sem")
    parent, teacher, admin = (User.by_email(e) for e in (PARENT, TEACHER, ADMIN))
    assert service.leave_school(sem, school_today() - timedelta(days=1))

    assert sem.id not in [p.id for p in authz.visible_pupils(parent)]
    assert sem.id not in [p.id for p in authz.visible_pupils(teacher)]
    assert sem.id not in [p.id for p in authz.visible_pupils(admin)]
    # Sem was the parent's only child: the group's space closes for the parent.
    assert list(authz.visible_groups(parent)) == []
    assert sem.id in [p.id for p in policy.administered_pupils(admin)]
    assert Pupil.count_by_group([sem.group])[sem.group_id] == 19
    assert not service.leave_school(sem, school_today())  # once is enough


def test_a_parent_keeps_the_group_of_a_child_still_at_school(db_ctx):
    service.leave_school(_pupil("Yasmin"), school_today())
    parent = User.by_email(TWO_GROUP_PARENT)
    assert [g.name for g in authz.visible_groups(parent)] == ["Groep 5"]
    assert [p.first_name for p in authz.visible_pupils(parent)] == ["Adam"]


def test_a_leaving_date_ahead_takes_effect_on_that_day(db_ctx):
    sem = _pupil("Sem")
    day = school_today() + timedelta(days=30)
    service.leave_school(sem, day)
    assert sem.id in [p.id for p in authz.visible_pupils(User.by_email(PARENT))]
    at_school_then = Pupil.select().where((Pupil.id == sem.id) & Pupil.at_school(day))
    assert not at_school_then.exists()


def test_leaving_revokes_open_invitations_for_the_child(db_ctx):
    sem = _pupil("Sem")
    invitation = invitations_service.invite_guardian(sem, "nieuwe.ouder@example.org")
    service.leave_school(sem, school_today())
    assert Invitation.get_by_id(invitation.id).revoked_at is not None
    assert not service.move_pupil(sem, _group("Groep 5"))  # gone pupils stay put
    assert service.return_to_school(sem)
    assert sem.id in [p.id for p in authz.visible_pupils(User.by_email(PARENT))]


def test_moving_a_pupil_changes_which_teacher_sees_them(db_ctx):
    sem = _pupil("Sem")
    assert service.move_pupil(sem, _group("Groep 5"))
    names = [p.first_name for p in authz.visible_pupils(User.by_email(TEACHER))]
    assert "Sem" not in names
    assert "Sem" in [p.first_name for p in authz.visible_pupils(User.by_email(OTHER_TEACHER))]


def test_unlinking_a_guardian_keeps_the_account(db_ctx):
    sem = _pupil("Sem")
    parent = User.by_email(PARENT)
    invitation = invitations_service.invite_guardian(sem, "tweede.ouder@example.org")
    link = Guardianship.get((Guardianship.pupil == sem) & (Guardianship.guardian == parent))
    assert service.unlink_guardian(link)
    assert list(authz.visible_pupils(parent)) == []
    assert User.by_email(PARENT).active
    second = Guardianship.get(Guardianship.guardian == invitation.user_id)
    service.unlink_guardian(second)
    assert Invitation.get_by_id(invitation.id).revoked_at is not None


def test_guardians_are_listed_with_where_their_account_stands(db_ctx):
    sem = _pupil("Sem")
    invitations_service.invite_guardian(sem, "uitgenodigd@example.org")
    stale = User.create(email="verlopen@example.org", display_name="Verlopen", role="parent")
    Guardianship.create(guardian=stale, pupil=sem)
    off = User.create(email="uit@example.org", display_name="Uit", role="parent",
                      password_hash="x", active=False)
    Guardianship.create(guardian=off, pupil=sem)
    states = {u.email: state for u, state in service.guardians_of(sem)}
    assert states == {
        PARENT: service.ACTIVE,
        "uitgenodigd@example.org": service.INVITED,
        "verlopen@example.org": service.EXPIRED,
        "uit@example.org": service.DEACTIVATED,
    }


# --- Staff -----------------------------------------------------------------------------

def test_staff_groups_are_set_and_unset(db_ctx):
    teacher = User.by_email(TEACHER)
    ids = [_group("Groep 5").id, _group("Groep 8").id]
    service.set_staff_groups(teacher, ids)
    service.set_staff_groups(teacher, ids)  # twice: the unique index keeps one each
    assert sorted(g.group_id for g in GroupStaff.select().where(GroupStaff.staff == teacher)) \
        == sorted(ids)
    service.set_staff_groups(teacher, [])
    assert not GroupStaff.select().where(GroupStaff.staff == teacher).exists()


def test_deactivating_ends_sessions_and_invitation_links(db_ctx):
    admin, teacher = User.by_email(ADMIN), User.by_email(TEACHER)
    sessions.start(teacher)
    invitation = invitations_service.invite_staff("nieuw@example.org", "Nieuw", invited_by=admin)
    newcomer = User.by_email("nieuw@example.org")
    assert service.deactivate(admin, teacher)
    assert service.deactivate(admin, newcomer)
    assert not User.by_email(TEACHER).active
    assert not AuthSession.select().where(AuthSession.user == teacher).exists()
    assert Invitation.get_by_id(invitation.id).revoked_at is not None
    assert not service.deactivate(admin, User.by_email(TEACHER))  # already off
    assert service.reactivate(User.by_email(TEACHER))
    assert User.by_email(TEACHER).active


def test_an_admin_cannot_deactivate_or_demote_themself(db_ctx):
    admin = User.by_email(ADMIN)
    with pytest.raises(AdministrationError, match="eigen account"):
        service.deactivate(admin, admin)
    with pytest.raises(AdministrationError, match="eigen rol"):
        service.change_role(admin, admin, ROLE_STAFF)
    assert User.by_email(ADMIN).active and User.by_email(ADMIN).role == ROLE_ADMIN


def test_roles_change_while_an_active_admin_remains(db_ctx):
    admin, teacher = User.by_email(ADMIN), User.by_email(TEACHER)
    service.change_role(admin, teacher, ROLE_ADMIN)
    assert User.by_email(TEACHER).role == ROLE_ADMIN
    service.change_role(admin, User.by_email(TEACHER), ROLE_STAFF)
    assert User.by_email(TEACHER).role == ROLE_STAFF


def test_an_admin_who_was_switched_off_meanwhile_can_change_nothing(db_ctx):
    admin, other = User.by_email(ADMIN), _second_admin()
    service.deactivate(other, admin)
    with pytest.raises(AdministrationError, match="geen actieve beheerder meer"):
        service.deactivate(admin, other)  # `admin` still holds its old, active row
    assert User.get_by_id(other.id).active


def test_two_admins_switching_each_other_off_at_once_leave_one_admin(app):
    """The first transaction holds its lock; the second waits, then sees it lost its role."""
    with app.app_context(), db.connection_context():
        first, second = User.by_email(ADMIN), _second_admin()
    first_done, outcome = threading.Event(), {}

    def first_admin():
        with app.app_context(), db.connection_context():
            with write_transaction():
                service.deactivate(first, second)
                first_done.set()
                threading.Event().wait(0.5)  # keep the transaction open a moment

    def second_admin():
        first_done.wait(5)
        with app.app_context(), db.connection_context():
            try:
                service.deactivate(second, first)
                outcome["second"] = "deactivated the first"
            except AdministrationError as error:
                outcome["second"] = str(error)

    threads = [threading.Thread(target=first_admin), threading.Thread(target=second_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert "geen actieve beheerder meer" in outcome["second"]
    with app.app_context(), db.connection_context():
        active = User.select().where((User.role == ROLE_ADMIN) & (User.active == True))  # noqa: E712
        assert [u.email for u in active] == [ADMIN]


# --- Outbox and figures ----------------------------------------------------------------

def _mail(status, **values):
    return OutboxMail.create(to_email="x@example.org", template="t", language="nl",
                             subject="s", body_text="b", body_html="<p>b</p>", status=status,
                             **values)


def test_retry_queues_only_dead_mail_again(db_ctx):
    dead = _mail(MAIL_DEAD, attempts=8, last_error="550 no such user")
    sent = _mail(MAIL_SENT, attempts=1)
    assert service.retry_mail(dead.id) == 1
    assert service.retry_mail(dead.id) == 0  # no longer dead
    assert service.retry_mail(sent.id) == 0
    row = OutboxMail.get_by_id(dead.id)
    assert (row.status, row.attempts) == (MAIL_PENDING, 0)
    assert row.next_attempt_at <= utcnow()
    _mail(MAIL_DEAD)
    _mail(MAIL_DEAD)
    assert service.retry_mail() == 2
    assert OutboxMail.get_by_id(sent.id).status == MAIL_SENT


def test_school_figures(db_ctx):
    _mail(MAIL_DEAD)
    service.leave_school(_pupil("Sem"), school_today())
    figures = service.school_figures(_group("Groep 5").school_year)
    parents = User.select().where(User.role == "parent")
    assert figures["pupils"] == 59 and figures["left"] == 1
    assert figures["groups"] == 3 and figures["staff"] == 5 and figures["dead_mails"] == 1
    assert figures["parents_active"] == parents.where(User.password_hash.is_null(False)).count()
    assert figures["parents_invited"] == parents.where(User.password_hash.is_null()).count() > 0
