"""Who may do and see what: the one place that decides.

Every view declares its rule with `@public` or `@allow(...)`. A request for an endpoint
without a declared rule is refused (deny by default), and a test walks the URL map so a
new route cannot ship without one. Queries that list content are scoped here, so a view
never writes its own "may this user see it" check.
"""

from functools import wraps

from flask import abort, current_app, make_response, redirect, request, url_for
from flask_login import current_user
from peewee import SQL

from .models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    ROLES,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
)
from .models.access import AccessRequest
from .models.imports import PupilImport
from .models.onboarding import Invitation
from .rendering import wants_fragment

PUBLIC = "public"
RULE_ATTR = "access_rule"


def public(view):
    """Mark a view as open to everyone, logged in or not."""
    setattr(view, RULE_ATTR, PUBLIC)
    return view


def allow(*roles):
    """Mark a view as open to logged-in users with one of these roles."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"allow() needs known roles, got {roles!r}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            denial = _deny(frozenset(roles))
            return denial if denial is not None else view(*args, **kwargs)

        setattr(guarded, RULE_ATTR, frozenset(roles))
        return guarded

    return decorate


signed_in = allow(*ROLES)
staff_only = allow(ROLE_ADMIN, ROLE_STAFF)
admin_only = allow(ROLE_ADMIN)


def rule_of(endpoint, app=None):
    """The declared rule of an endpoint, or None when it declares none."""
    view = (app or current_app).view_functions.get(endpoint)
    return getattr(view, RULE_ATTR, None)


def _deny(roles):
    """The response that refuses this request, or None when it may go on."""
    if not current_user.is_authenticated:
        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if wants_fragment():
            # A fragment request (e.g. after the session idled out): send the whole
            # window to the login page instead of swapping a login form into a list.
            return make_response("", 401, {"HX-Redirect": login_url})
        if request.method == "GET":
            return redirect(login_url)
        abort(401)
    if current_user.role not in roles:
        abort(403)
    return None


def enforce_declared_rule():
    """Before each request: refuse endpoints that declare no rule (deny by default)."""
    if request.endpoint is None:
        return  # no route matched: Flask answers 404/405 itself
    if rule_of(request.endpoint) is None:
        current_app.logger.error("Endpoint %s declares no access rule", request.endpoint)
        abort(403)


def safe_next_url(target):
    """The target when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


# --- What a user may see -------------------------------------------------------------

def _staffed_group_ids(user):
    """Subquery: the groups a member of staff works with."""
    return GroupStaff.select(GroupStaff.group).where(GroupStaff.staff == user)


def _own_children_ids(user):
    """Subquery: the pupils a parent or guardian is responsible for."""
    return Guardianship.select(Guardianship.pupil).where(Guardianship.guardian == user)


def visible_groups(user):
    """The groups whose space this user may see, in school order."""
    query = Group.ordered()
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Group.id.in_(_staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        # A child who left school no longer opens its old group to the parent.
        children = Pupil.select(Pupil.group).where(
            Pupil.id.in_(_own_children_ids(user)) & Pupil.at_school())
        return query.where(Group.id.in_(children))
    return query.where(SQL("1 = 0"))


def visible_group_or_404(user, group_id):
    """The group when this user may see its space; 404 otherwise, also for guessed ids."""
    group = visible_groups(user).where(Group.id == group_id).first()
    if group is None:
        abort(404)
    return group


def visible_pupils(user):
    """The pupils at school this user may see: own children, own groups, or all for admins.

    Pupils who left school are not in it for anyone; admins find them with
    `administered_pupils` (the list of pupils who left).
    """
    query = (Pupil.select(Pupil, Group).join(Group).where(Pupil.at_school())
             .order_by(Pupil.first_name, Pupil.last_name))
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Pupil.group.in_(_staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        return query.where(Pupil.id.in_(_own_children_ids(user)))
    return query.where(SQL("1 = 0"))


def pupils_in_group_visible_to(user, group):
    """The pupils of a group this user may see: the whole class for its staff, else own."""
    return visible_pupils(user).where(Pupil.group == group)


def may_manage_group(user, group):
    """Admins and the group's own staff manage a group's space."""
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_STAFF:
        return False
    return (
        GroupStaff.select()
        .where((GroupStaff.staff == user) & (GroupStaff.group == group))
        .exists()
    )


def may_manage_pupil(user, pupil):
    """Admins, and staff of the pupil's group, manage a pupil's guardians and invitations."""
    return may_manage_group(user, pupil.group)


def manageable_pupil_or_404(user, pupil_id):
    """The pupil when this user may manage it; 404 otherwise, also for guessed ids."""
    pupil = visible_pupils(user).where(Pupil.id == pupil_id).first()
    if pupil is None or not may_manage_pupil(user, pupil):
        abort(404)
    return pupil


# --- invitations and onboarding (rules for those areas go here) -----------------------

def manageable_invitation_or_404(user, invitation_id):
    """A guardian's invitation, for those who may manage its pupil; 404 otherwise.

    Invitations of staff (without a pupil) are not managed here, so they give 404 too.
    """
    invitation = Invitation.select().where(
        (Invitation.id == invitation_id) & Invitation.pupil.is_null(False)).first()
    if invitation is None:
        abort(404)
    invitation.pupil = manageable_pupil_or_404(user, invitation.pupil_id)
    return invitation


# --- access requests (rules for that area go here) ------------------------------------

def decides_access_requests(view):
    """Admins only see and decide access requests; other signed-in users get 404.

    Teachers do not: checking parental authority is the school office's job, and a
    request names a family before anyone has verified it.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        denial = _deny(frozenset(ROLES))  # logged out: to the login page
        if denial is not None:
            return denial
        if current_user.role != ROLE_ADMIN:
            abort(404)
        return view(*args, **kwargs)

    setattr(guarded, RULE_ATTR, frozenset({ROLE_ADMIN}))
    return guarded


def access_request_or_404(user, request_id):
    """One access request, for the admins who decide them; 404 otherwise."""
    if user.role != ROLE_ADMIN:
        abort(404)
    found = AccessRequest.get_or_none(AccessRequest.id == request_id)
    if found is None:
        abort(404)
    return found


# --- imports (rules for that area go here) --------------------------------------------

def own_pupil_import_or_404(user, key):
    """An upload this admin checked; 404 for anyone else's, and for guessed keys."""
    found = None
    if user.role == ROLE_ADMIN and key:
        found = PupilImport.get_or_none(
            (PupilImport.key == key[:64]) & (PupilImport.uploaded_by == user))
    if found is None:
        abort(404)
    return found


# --- administration (rules for that area go here) -------------------------------------

def _admins_only(user, query):
    """The query for admins; an empty one for everybody else."""
    return query if user.role == ROLE_ADMIN else query.where(SQL("1 = 0"))


def _found_or_404(row):
    """The row, or 404 when the query found nothing (also for guessed ids)."""
    if row is None:
        abort(404)
    return row


def real_id_or_404(value):
    """An id that fits a database integer; a guessed 30-digit id is a 404, not a crash."""
    if not 0 < value < 2**63:
        abort(404)
    return value


def administered_groups(user):
    """Every group of every school year, for admins."""
    return _admins_only(user, Group.select())


def administered_group_or_404(user, group_id):
    """One group an admin manages; 404 otherwise."""
    return _found_or_404(administered_groups(user).where(
        Group.id == real_id_or_404(group_id)).first())


def administered_pupils(user):
    """Every pupil, also those who left school, for admins."""
    return _admins_only(user, Pupil.select(Pupil, Group).join(Group))


def administered_pupil_or_404(user, pupil_id):
    """One pupil an admin manages, also after leaving; 404 otherwise."""
    return _found_or_404(administered_pupils(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def administered_guardianship_or_404(user, pupil, guardian_id):
    """The link between this pupil and this guardian, for admins; 404 otherwise."""
    query = Guardianship.select(Guardianship, User).join(User).where(
        (Guardianship.pupil == pupil) & (Guardianship.guardian == real_id_or_404(guardian_id)))
    return _found_or_404(_admins_only(user, query).first())


def administered_staff(user):
    """The accounts of staff and admins, for admins."""
    return _admins_only(user, User.select().where(User.role.in_([ROLE_ADMIN, ROLE_STAFF])))


def administered_staff_or_404(user, account_id):
    """One staff or admin account, for admins; 404 otherwise."""
    return _found_or_404(administered_staff(user).where(
        User.id == real_id_or_404(account_id)).first())


def administered_mail_or_404(user, mail_id):
    """One outbox mail (without assuming its body may be read), for admins; 404 otherwise."""
    return _found_or_404(_admins_only(user, OutboxMail.select()).where(
        OutboxMail.id == real_id_or_404(mail_id)).first())


def may_read_mail_bodies(user):
    """Admins read mail bodies only when mail never leaves the machine (the demo).

    With real delivery a body can hold someone else's single-use activation link: an
    admin who could read it could activate another person's account.
    """
    return user.role == ROLE_ADMIN and current_app.config["MAIL_BACKEND"] == "portal"


# --- account and profile (rules for that area go here) --------------------------------

def may_see_photo_of(viewer, owner):
    """Staff photos: everyone. A parent's: that parent, staff, and parents sharing a group."""
    if owner.role in (ROLE_ADMIN, ROLE_STAFF) or viewer.id == owner.id:
        return True
    if viewer.role in (ROLE_ADMIN, ROLE_STAFF):
        return True
    if viewer.role != ROLE_PARENT or owner.role != ROLE_PARENT:
        return False
    owners_groups = visible_groups(owner).select(Group.id).order_by()
    return visible_groups(viewer).where(Group.id.in_(owners_groups)).exists()


# --- feed: posts, comments, attachments (rules for that area go here) -------------------


# --- absence and leave (rules for that area go here) ------------------------------------


# --- meetings (rules for that area go here) ---------------------------------------------


# --- calendar (rules for that area go here) ---------------------------------------------


# --- surveys and calls for help (rules for that area go here) ---------------------------


# --- conversations and directory (rules for that area go here) --------------------------
