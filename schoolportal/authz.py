"""Who may do and see what: deny by default, and the scopes every area builds on.

Every view declares its rule with `@public` or `@allow(...)`. A request for an endpoint
without a declared rule is refused (deny by default), and a test walks the URL map so a
new route cannot ship without one. This module holds what every area's policy uses: the
groups and pupils a user may see, `nothing()`, and the 404 helpers. Each area's own object
rules live in `schoolportal/<area>/policy.py`, whose FINDERS (one per object type) are
added here by `create_app`, so the authorization walk reaches every type. Queries that
list content are scoped in the policies, so a view never writes its own "may this user see
it" check. A policy imports models and these scopes, never an area's feature code.
"""

from dataclasses import dataclass
from functools import wraps

from flask import (
    abort,
    current_app,
    g,
    has_request_context,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_login import current_user
from peewee import JOIN, SQL, fn

from schoolportal.core import clock
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    ROLES,
    Group,
    GroupStaff,
    Guardianship,
    Pupil,
    User,
)
from schoolportal.core.prepared import prepared
from schoolportal.core.rendering import wants_fragment

PUBLIC = "public"
RULE_ATTR = "access_rule"
FINDERS = {}  # object kind -> Finder, from every area's policy (see `add_finders`)


@dataclass(frozen=True)
class Finder:
    """How a user reaches one object of a type: `find(user, id)` returns it or aborts 404."""

    area: str
    kind: str
    model: object
    find: object


def add_finders(area, finders):
    """Add an area's {kind: (model, find)}; a kind added again by another area is a mistake."""
    for kind, (model, find) in finders.items():
        known = FINDERS.get(kind)
        if known is not None and known.area != area:
            raise ValueError(f"object kind {kind!r} is claimed by {known.area} and {area}")
        FINDERS[kind] = Finder(area, kind, model, find)


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

NO_ROWS = SQL("1 = 0")  # a condition no row meets


def nothing(query):
    """The query made empty: this user may see none of it (the one way to say "nothing")."""
    return query.where(NO_ROWS)


def staffed_group_ids(user):
    """Subquery: the groups a member of staff works with."""
    return GroupStaff.select(GroupStaff.group).where(GroupStaff.staff == user)


def own_children_ids(user):
    """Subquery: the pupils a parent or guardian is responsible for."""
    return Guardianship.select(Guardianship.pupil).where(Guardianship.guardian == user)


def visible_groups(user, archived=False):
    """The groups whose space this user may see, in school order.

    Archived groups (last years') only with `archived=True`, and never for parents.
    """
    query = Group.ordered()
    if not archived or user.role == ROLE_PARENT:
        query = query.where(Group.archived_at.is_null())
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Group.id.in_(staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        # A child who left school no longer opens its old group to the parent.
        children = Pupil.select(Pupil.group).where(
            Pupil.id.in_(own_children_ids(user)) & Pupil.at_school())
        return query.where(Group.id.in_(children))
    return nothing(query)


def _once_per_request(name, user, compute):
    """`compute()` as a tuple, worked out once per request and user (outside one: each time)."""
    if not has_request_context():
        return tuple(compute())
    memo = g.setdefault("authz_" + name, {})
    if user.id not in memo:
        memo[user.id] = tuple(compute())
    return memo[user.id]


def visible_group_list(user):
    """`visible_groups(user)`, once per request: the page, its menu and its panels share it.

    A parent's groups are those of their children at school, which `visible_pupil_list`
    loads with their groups anyway: worked out from it, without a query of their own.
    """
    if user.role == ROLE_PARENT:
        return _once_per_request("groups", user, lambda: _groups_of(visible_pupil_list(user)))
    return _once_per_request("groups", user, lambda: visible_groups(user))


def groups_with_pupil_counts(user):
    """Staff and the office: `visible_group_list(user)` and {group id: pupils at school}, in
    one statement for the home page; the groups stay in the request's memo."""
    memo = g.setdefault("authz_groups", {}) if has_request_context() else {}
    if user.id in memo:
        return memo[user.id], Pupil.count_by_group(memo[user.id])
    count = Pupil.select(fn.COUNT(Pupil.id)).where((Pupil.group == Group.id) & Pupil.at_school())
    groups = tuple(visible_groups(user).select_extend(count.alias("pupil_count")))
    memo[user.id] = groups
    return groups, {group.id: group.pupil_count for group in groups}


def visible_group_ids(user, archived=False):
    """The ids of `visible_groups(user, archived)` to filter on with `IN (...)`: a list from
    the groups loaded once per request (much cheaper to build into a statement than the
    policy's nested subquery), or, for last years' groups too, that subquery itself."""
    if not archived or user.role == ROLE_PARENT:
        return [group.id for group in visible_group_list(user)]
    return visible_groups(user, archived=True).select(Group.id).order_by()


def _groups_of(pupils):
    """The current (not archived) groups of these pupils, in school order, each once."""
    groups = {pupil.group.id: pupil.group for pupil in pupils if pupil.group.archived_at is None}
    return sorted(groups.values(), key=lambda group: (group.sort_order, group.name))


def visible_group_or_404(user, group_id):
    """The group when this user may see its space; 404 otherwise, also for guessed ids."""
    if user.role != ROLE_ADMIN:  # their groups of this year are loaded once per request
        for group in visible_group_list(user):
            if group.id == group_id:
                return group
        if user.role == ROLE_PARENT:  # parents see no other groups, not even archived ones
            abort(404)
    group = visible_groups(user, archived=True).where(Group.id == group_id).first()
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
        return query.where(Pupil.group.in_(staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        return query.where(Pupil.id.in_(own_children_ids(user)))
    return nothing(query)


def visible_pupil_list(user):
    """`visible_pupils(user)`, once per request: the home page's panels each need a parent's
    children, and the menu's survey badge too (its text built once: `_visible_pupil_rows`)."""
    return _once_per_request("pupils", user, lambda: _visible_pupil_rows(user))


def _pupils_at_school(today):
    return (Pupil.select(Pupil, Group).join(Group).where(Pupil.at_school(today))
            .order_by(Pupil.first_name, Pupil.last_name))


@prepared
def _children_at_school(user_id, today):
    return _pupils_at_school(today).where(Pupil.id.in_(own_children_ids(user_id)))


@prepared
def _pupils_of_staff(user_id, today):
    return _pupils_at_school(today).where(Pupil.group.in_(staffed_group_ids(user_id)))


@prepared
def _every_pupil(today):
    return _pupils_at_school(today)


def _visible_pupil_rows(user):
    """The rows of `visible_pupils(user)`, from prepared queries."""
    today = clock.school_today()
    if user.role == ROLE_ADMIN:
        return _every_pupil(today)
    if user.role == ROLE_STAFF:
        return _pupils_of_staff(user.id, today)
    if user.role == ROLE_PARENT:
        return _children_at_school(user.id, today)
    return ()


def _with_staff(pupils, columns):
    """The pupils query with each teacher of the pupil's group (a row per pair) and the
    extra `columns` ((name, function() -> SQL about Pupil), ...)."""
    teacher = User.alias("teacher")
    extra = [column().alias(name) for name, column in columns]
    return (pupils.select_extend(teacher.id, teacher.display_name, *extra)
            .join(GroupStaff, JOIN.LEFT_OUTER, on=(GroupStaff.group == Pupil.group))
            .join(teacher, JOIN.LEFT_OUTER,
                  on=(GroupStaff.staff == teacher.id) & (teacher.active == True))  # noqa: E712
            .order_by(Pupil.first_name, Pupil.last_name, Pupil.id, teacher.display_name))


_WITH_STAFF = {}  # the extra columns -> the prepared query of a parent's children


def _children_with_staff_of(columns):
    """The prepared `_with_staff` of a parent's children at school (one per set of extra
    columns: in practice one, core.hooks.CHILD_COLUMNS)."""
    found = _WITH_STAFF.get(columns)
    if found is None:
        def children_with_staff_of(user_id, today):
            return _with_staff(_children_at_school.__wrapped__(user_id, today), columns)

        found = _WITH_STAFF[columns] = prepared(children_with_staff_of)
    return found


def children_with_staff(user, columns=None):
    """A parent's children (as `visible_pupil_list`) and the active staff of their groups,
    {group id: [User with id and display_name]}: one statement for the home page's "your
    children" card, whose children the request keeps for every other panel. `columns`
    ({name: function() -> SQL about Pupil}, core.hooks.CHILD_COLUMNS) ride along: each
    child gets those attributes."""
    memo = g.setdefault("authz_pupils", {}) if has_request_context() else {}
    if user.id in memo:
        children = memo[user.id]
        return children, GroupStaff.staff_by_group(_groups_of(children))
    columns = tuple((columns or {}).items())
    if user.role == ROLE_PARENT:  # the home page's case: its text built once
        rows = _children_with_staff_of(columns)(user.id, clock.school_today())
    else:
        rows = _with_staff(visible_pupils(user), columns)
    children, staff, first_child = {}, {}, {}
    for row in rows:  # a row per child and teacher of the child's group
        children.setdefault(row.id, row)
        staff.setdefault(row.group_id, [])
        if first_child.setdefault(row.group_id, row.id) != row.id:
            continue  # a brother or sister in the same group: its teachers are listed
        link = getattr(row.group, "groupstaff", None)  # None without staff (LEFT JOIN)
        member = link.staff if link is not None else None
        if member is not None and member.id is not None:
            staff[row.group_id].append(member)
    memo[user.id] = tuple(children.values())
    return memo[user.id], staff


def pupils_in_group_visible_to(user, group):
    """The pupils of a group this user may see: the whole class for its staff, else own."""
    return visible_pupils(user).where(Pupil.group == group)


def pupil_list_in_group_visible_to(user, group):
    """`pupils_in_group_visible_to` as a list; a parent's from the children the request loaded
    already."""
    if user.role == ROLE_PARENT:
        group_id = group.id if isinstance(group, Group) else group
        return [pupil for pupil in visible_pupil_list(user) if pupil.group_id == group_id]
    return list(pupils_in_group_visible_to(user, group))


def may_manage_group(user, group):
    """Admins and the group's own staff manage a group's space, unless it is archived."""
    if user.role == ROLE_STAFF:
        # The staff's own groups of this year, once per request (archived ones are not in it).
        group_id = group.id if isinstance(group, Group) else group
        return any(own.id == group_id for own in visible_group_list(user))
    return user.role == ROLE_ADMIN and not is_archived(group)


def may_manage_pupil(user, pupil):
    """Admins, and staff of the pupil's group, manage a pupil's guardians and invitations."""
    return may_manage_group(user, pupil.group)


def manageable_pupil_or_404(user, pupil_id):
    """The pupil when this user may manage it; 404 otherwise, also for guessed ids."""
    pupil = visible_pupils(user).where(Pupil.id == pupil_id).first()
    if pupil is None or not may_manage_pupil(user, pupil):
        abort(404)
    return pupil


# --- administration (rules for that area go here) -------------------------------------

def admins_only(user, query):
    """The query for admins; an empty one for everybody else."""
    return query if user.role == ROLE_ADMIN else nothing(query)


def found_or_404(row):
    """The row, or 404 when the query found nothing (also for guessed ids)."""
    if row is None:
        abort(404)
    return row


def real_id_or_404(value):
    """An id that fits a database integer; a guessed 30-digit id is a 404, not a crash."""
    if not 0 < value < 2**63:
        abort(404)
    return value

# --- feed: posts, comments, attachments (rules for that area go here) -------------------


def is_staff_or_admin(user):
    """Teachers and the office: the people who write posts and moderate reactions."""
    return user.role in (ROLE_ADMIN, ROLE_STAFF)


def is_guardian_of(user, pupil_id):
    """True for a parent or guardian of this pupil."""
    return user.role == ROLE_PARENT and Guardianship.select().where(
        (Guardianship.guardian == user) & (Guardianship.pupil == pupil_id)).exists()



# --- school-year rollover and archived groups (rules for that area go here) ---------------

def is_archived(group):
    """True for a group of a school year that was rolled over: read-only for everyone."""
    if isinstance(group, Group) and "archived_at" in group.__data__:
        return group.archived_at is not None
    group_id = group.id if isinstance(group, Group) else group
    if has_request_context() and request.method == "GET":  # a page asks once per group
        memo = g.setdefault("authz_archived", {})
        if group_id not in memo:
            memo[group_id] = _is_archived(group_id)
        return memo[group_id]
    return _is_archived(group_id)


def _is_archived(group_id):
    """is_archived, asked of the database."""
    return Group.select().where((Group.id == group_id) & Group.archived_at.is_null(False)).exists()


# The core's own object types: a group's space, and a pupil staff manage.
FINDERS.update({
    "group": Finder("core", "group", Group, visible_group_or_404),
    "pupil": Finder("core", "pupil", Pupil, manageable_pupil_or_404),
})
