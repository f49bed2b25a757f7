"""Administration: the steps behind the admin pages (groups, pupils, staff, the outbox).

Every change is one transaction guarded by the database: unique indexes and foreign keys
answer with IntegrityError, and rules that depend on other rows (a pupil may move only
while at school, the last admin stays) are conditional UPDATEs.
"""

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError, chunked, fn

from schoolportal.access.models import AccessRequest
from schoolportal.admin.models import MOVED_BY_OFFICE, PupilMove
from schoolportal.core import audit, clock, sessions
from schoolportal.core.database import is_sqlite, write_transaction
from schoolportal.core.models import (
    MAIL_DEAD,
    MAIL_PENDING,
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from schoolportal.invitations.models import Invitation

# Where a guardian's account stands, as the pupil page shows it.
ACTIVE, INVITED, EXPIRED, DEACTIVATED = "active", "invited", "expired", "deactivated"


class AdministrationError(ValueError):
    """A change the database or a rule refused, with a message for the admin."""


# --- Groups ----------------------------------------------------------------------------

def save_group(group, name, school_year, sort_order):
    """Create (group=None) or change a group; a name is unique within its school year."""
    values = {"name": name.strip(), "school_year": school_year, "sort_order": sort_order}
    try:
        with write_transaction():
            if group is None:
                return Group.create(**values)
            Group.update(values).where(Group.id == group.id).execute()
            return Group.get_by_id(group.id)
    except IntegrityError as error:
        raise AdministrationError(
            _l("A group with this name already exists in this school year.")) from error


def delete_group(group):
    """Delete a group; the database refuses while pupils (also ones who left) belong to it."""
    try:
        with write_transaction():
            Group.delete().where(Group.id == group.id).execute()
    except IntegrityError as error:
        raise AdministrationError(_l(
            "This group cannot be deleted: pupils (also pupils who left school) still "
            "belong to it. Move them to another group first.")) from error


# --- Pupils ----------------------------------------------------------------------------

def save_pupil(pupil, **values):
    """Create (pupil=None) or change a pupil; a pupil number belongs to one pupil only."""
    values["pupil_number"] = (values.get("pupil_number") or "").strip() or None
    try:
        with write_transaction():
            if pupil is None:
                return Pupil.create(**values)
            Pupil.update(values).where(Pupil.id == pupil.id).execute()
            return Pupil.get_by_id(pupil.id)
    except IntegrityError as error:
        raise AdministrationError(
            _l("Another pupil already has this pupil number.")) from error


def move_pupil(pupil, group, moved_by=None):
    """Put a pupil at school in another group; False when the pupil has left meanwhile."""
    group_id = getattr(group, "id", group)
    with write_transaction():
        moved = Pupil.update(group=group_id).where(
            (Pupil.id == pupil.id) & Pupil.at_school() & (Pupil.group != group_id)).execute()
        if moved:
            record_moves([(pupil.id, pupil.group_id, group_id)], moved_by, MOVED_BY_OFFICE)
        return moved == 1 or Pupil.select().where(
            (Pupil.id == pupil.id) & Pupil.at_school()).exists()


def record_moves(moves, moved_by, via):
    """Keep (pupil id, old group id, new group id) moves in the pupils' group history."""
    rows = [{"pupil": pupil_id, "from_group": old, "to_group": new, "moved_at": utcnow(),
             "moved_by": getattr(moved_by, "id", None), "via": via}
            for pupil_id, old, new in moves]
    for batch in chunked(rows, 100):
        PupilMove.insert_many(batch).execute()


def leave_school(pupil, day):
    """Record the day a pupil leaves; open invitations for the child stop working."""
    with write_transaction():
        changed = Pupil.update(left_on=day).where(
            (Pupil.id == pupil.id) & Pupil.left_on.is_null()).execute()
        if changed:
            # An invitation that is still open would make an account for a child who is gone.
            _revoke_open_invitations(Invitation.pupil == pupil.id)
        return changed == 1


def return_to_school(pupil):
    """Undo leaving (e.g. entered by mistake); the pupil is back in the group."""
    with write_transaction():
        return Pupil.update(left_on=None).where(
            (Pupil.id == pupil.id) & Pupil.left_on.is_null(False)).execute() == 1


def unlink_guardian(guardianship):
    """Remove a guardian from a pupil; the account itself stays."""
    with write_transaction():
        removed = Guardianship.delete().where(Guardianship.id == guardianship.id).execute()
        _revoke_open_invitations(
            (Invitation.pupil == guardianship.pupil_id)
            & (Invitation.user == guardianship.guardian_id))
        return removed == 1


def guardians_of(pupil):
    """The pupil's guardians, each with where their account stands, in two queries."""
    guardians = list(
        User.select().join(Guardianship, on=(Guardianship.guardian == User.id))
        .where(Guardianship.pupil == pupil.id).order_by(User.display_name))
    waiting = [u.id for u in guardians if not u.password_hash]
    invited = {row.user_id for row in Invitation.usable(utcnow()).where(
        Invitation.user.in_(waiting))}
    return [(user, _account_state(user, invited)) for user in guardians]


def _account_state(user, invited_ids):
    """Active, invited (link still works), invitation expired, or deactivated."""
    if not user.active:
        return DEACTIVATED
    if user.password_hash:
        return ACTIVE
    return INVITED if user.id in invited_ids else EXPIRED


def _revoke_open_invitations(condition):
    """Make unused invitation links matching the condition stop working."""
    Invitation.update(revoked_at=utcnow()).where(
        condition & Invitation.used_at.is_null() & Invitation.revoked_at.is_null()).execute()


# --- Staff -----------------------------------------------------------------------------

def staff_with_groups(accounts):
    """Each staff account with its groups (and its state), in two queries."""
    accounts = list(accounts)
    groups = {a.id: [] for a in accounts}
    rows = (GroupStaff.select(GroupStaff, Group).join(Group)
            .where(GroupStaff.staff.in_(list(groups)))
            .order_by(Group.school_year.desc(), Group.sort_order, Group.name))
    for row in rows:
        groups[row.staff_id].append(row.group)
    invited = {row.user_id for row in Invitation.usable(utcnow()).where(
        Invitation.user.in_([a.id for a in accounts if not a.password_hash]))}
    return [(a, groups[a.id], _account_state(a, invited)) for a in accounts]


def set_staff_groups(user, group_ids):
    """Make these the groups a member of staff works with (archived years stay as they were)."""
    group_ids = list(group_ids)
    open_groups = Group.select(Group.id).where(Group.archived_at.is_null())
    with write_transaction():
        if group_ids:
            GroupStaff.insert_many(
                [{"staff": user.id, "group": gid} for gid in group_ids]
            ).on_conflict_ignore().execute()
        GroupStaff.delete().where(
            (GroupStaff.staff == user.id) & GroupStaff.group.not_in(group_ids)
            & GroupStaff.group.in_(open_groups)).execute()


def change_role(actor, user, role):
    """Make a staff account an admin or the other way round; the last admin stays."""
    if role not in (ROLE_ADMIN, ROLE_STAFF):
        raise AdministrationError(_l("Choose staff or admin."))
    if user.id == actor.id:
        raise AdministrationError(_l("You cannot change your own role. Ask another admin."))
    with write_transaction():
        _lock_admins_for(actor)
        condition = (User.id == user.id) & User.role.in_([ROLE_ADMIN, ROLE_STAFF])
        if role == ROLE_STAFF:
            condition &= _another_admin_remains(user)
        if not User.update(role=role).where(condition).execute():
            raise AdministrationError(_l("The school always needs an active admin."))
        audit.record("role_change", "user", user.id, actor=actor, role=role)


def deactivate(actor, user):
    """Switch an account off: its sessions end and its open invitation links stop working."""
    if user.id == actor.id:
        raise AdministrationError(_l("You cannot deactivate your own account."))
    with write_transaction():
        _lock_admins_for(actor)
        changed = User.update(active=False).where(
            (User.id == user.id) & (User.active == True)  # noqa: E712 (peewee expression)
            & _another_admin_remains(user)).execute()
        if not changed:
            if not User.get_by_id(user.id).active:
                return False  # someone else was quicker: nothing left to do
            raise AdministrationError(_l("The school always needs an active admin."))
        sessions.end_all(user)
        audit.record("role_change", "user", user.id, actor=actor, active=False)
        # activate() would switch the account back on: its links must not work any more.
        _revoke_open_invitations(Invitation.user == user.id)
        return True


def reactivate(user):
    """Switch an account on again (a new invitation is needed if it never activated)."""
    with write_transaction():
        changed = User.update(active=True).where(
            (User.id == user.id) & (User.active == False)).execute() == 1  # noqa: E712
        if changed:
            audit.record("role_change", "user", user.id, active=True)
        return changed


def _lock_admins_for(actor):
    """Serialize changes to admins, and refuse when the actor is no longer an active admin.

    Two admins deactivating each other at the same moment must not leave none. On
    PostgreSQL (READ COMMITTED) each would see the other still active, so the active
    admin rows are locked FOR UPDATE first: the second transaction waits, then re-reads.
    SQLite needs no lock: write_transaction is BEGIN IMMEDIATE, one writer at a time.
    """
    query = User.select(User.id).where(
        (User.role == ROLE_ADMIN) & (User.active == True))  # noqa: E712
    if not is_sqlite():
        query = query.for_update()
    if actor.id not in {row.id for row in query}:
        raise AdministrationError(_l("Your account is no longer an active admin."))


def _another_admin_remains(user):
    """Condition on the updated account row: it is no admin, or another active admin exists."""
    other = User.alias()
    others = other.select(other.id).where(
        (other.role == ROLE_ADMIN) & (other.active == True) & (other.id != user.id))  # noqa: E712
    return (User.role != ROLE_ADMIN) | fn.EXISTS(others)


# --- The outbox and the figures --------------------------------------------------------

def retry_mail(mail_id=None):
    """Queue dead mail again (one, or all when mail_id is None); returns how many."""
    query = OutboxMail.update(
        status=MAIL_PENDING, attempts=0, next_attempt_at=utcnow(), claimed_until=None
    ).where(OutboxMail.status == MAIL_DEAD)
    if mail_id is not None:
        query = query.where(OutboxMail.id == mail_id)
    with write_transaction():
        return query.execute()


def school_figures(school_year):
    """The counts on the admin start page, in a few grouped queries."""
    parents = dict(
        User.select(User.password_hash.is_null(False), fn.COUNT(User.id))
        .where((User.role == ROLE_PARENT) & (User.active == True))  # noqa: E712
        .group_by(User.password_hash.is_null(False)).tuples())
    return {
        "pupils": Pupil.select().where(Pupil.at_school()).count(),
        "left": Pupil.select().where(~Pupil.at_school()).count(),
        "groups": Group.select().where(Group.school_year == school_year).count(),
        "staff": User.select().where(
            User.role.in_([ROLE_ADMIN, ROLE_STAFF]) & (User.active == True)).count(),  # noqa: E712
        # True/False on PostgreSQL, 1/0 on SQLite: equal keys in a Python dict.
        "parents_active": parents.get(True, 0),
        "parents_invited": parents.get(False, 0),
        "dead_mails": OutboxMail.select().where(OutboxMail.status == MAIL_DEAD).count(),
        "access_requests": AccessRequest.pending().count(),
    }


today_in_school = clock.school_today  # the server may run on UTC
