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
    Pupil,
)
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
        children = Pupil.select(Pupil.group).where(Pupil.id.in_(_own_children_ids(user)))
        return query.where(Group.id.in_(children))
    return query.where(SQL("1 = 0"))


def visible_group_or_404(user, group_id):
    """The group when this user may see its space; 404 otherwise, also for guessed ids."""
    group = visible_groups(user).where(Group.id == group_id).first()
    if group is None:
        abort(404)
    return group


def visible_pupils(user):
    """The pupils this user may see by name: own children, own groups, or all for admins."""
    query = Pupil.select(Pupil, Group).join(Group).order_by(Pupil.first_name, Pupil.last_name)
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


# --- access requests (rules for that area go here) ------------------------------------


# --- imports (rules for that area go here) --------------------------------------------


# --- administration (rules for that area go here) -------------------------------------


# --- account and profile (rules for that area go here) --------------------------------
