"""Who may do and see what: the one place that decides.

Every view declares its rule with `@public` or `@allow(...)`. A request for an endpoint
without a declared rule is refused (deny by default), and a test walks the URL map so a
new route cannot ship without one. Queries that list content are scoped here, so a view
never writes its own "may this user see it" check.
"""

from functools import wraps

from flask import abort, current_app, make_response, redirect, request, url_for
from flask_login import current_user
from peewee import SQL, Case, fn

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
        return query.where(Group.id.in_(_staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        # A child who left school no longer opens its old group to the parent.
        children = Pupil.select(Pupil.group).where(
            Pupil.id.in_(_own_children_ids(user)) & Pupil.at_school())
        return query.where(Group.id.in_(children))
    return query.where(SQL("1 = 0"))


def visible_group_or_404(user, group_id):
    """The group when this user may see its space; 404 otherwise, also for guessed ids."""
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
        return query.where(Pupil.group.in_(_staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        return query.where(Pupil.id.in_(_own_children_ids(user)))
    return query.where(SQL("1 = 0"))


def pupils_in_group_visible_to(user, group):
    """The pupils of a group this user may see: the whole class for its staff, else own."""
    return visible_pupils(user).where(Pupil.group == group)


def may_manage_group(user, group):
    """Admins and the group's own staff manage a group's space, unless it is archived."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF) or is_archived(group):
        return False
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

from peewee import JOIN  # noqa: E402

from .models import utcnow  # noqa: E402
from .models.feed import Comment, Post, PostAttachment  # noqa: E402


def _is_staff_or_admin(user):
    """Teachers and the office: the people who write posts and moderate reactions."""
    return user.role in (ROLE_ADMIN, ROLE_STAFF)


def visible_posts(user):
    """Published posts this user sees: school-wide ones and those of their visible groups."""
    now = utcnow()
    query = Post.select().where(Post.published_at.is_null(False) & (Post.published_at <= now))
    if user.role == ROLE_ADMIN:
        return query
    groups = visible_groups(user, archived=True).select(Group.id).order_by()
    return query.where(Post.group.is_null() | Post.group.in_(groups))


def unpublished_posts(user):
    """Drafts and scheduled posts: staff see their own, admins everyone's."""
    now = utcnow()
    query = Post.select().where(Post.published_at.is_null() | (Post.published_at > now))
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Post.author == user.id)
    return query.where(SQL("1 = 0"))


def postable_groups(user):
    """The groups this user may post to: every group for admins, their own for staff."""
    if user.role == ROLE_ADMIN:
        return visible_groups(user)
    return visible_groups(user) if user.role == ROLE_STAFF else Group.select().where(SQL("1 = 0"))


def may_edit_post(user, post):
    """Admins, the author, and staff of the post's group change or delete a post."""
    if post.group_id is not None and is_archived(post.group):
        return False
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_STAFF:
        return False
    return post.author_id == user.id or (
        post.group_id is not None and may_manage_group(user, post.group_id))


def may_moderate_post(user, post):
    """Admins and the group's staff hide reactions and close them on a group post."""
    return post.group_id is not None and may_manage_group(user, post.group_id)


def may_see_reads(user, post):
    """Who read a post: for admins, its author and the staff of its group."""
    return user.role == ROLE_ADMIN or (user.role == ROLE_STAFF and (
        post.author_id == user.id or may_moderate_post(user, post)))


def read_stats_condition(user):
    """A filter on posts whose read receipts this user may see (see `may_see_reads`)."""
    if user.role == ROLE_ADMIN:
        return SQL("1 = 1")
    if user.role != ROLE_STAFF:
        return SQL("1 = 0")
    return (Post.author == user.id) | Post.group.in_(_staffed_group_ids(user))


def sees_hidden_comments(user):
    """Staff see hidden reactions (marked, with who hid them); parents do not see them."""
    return _is_staff_or_admin(user)


def may_comment(user, post):
    """Reactions only on published group posts whose reactions are open, by anyone who sees it.

    Seeing a group post already means being a parent of a pupil in that group, its staff
    or an admin; school-wide posts never take reactions, whatever a client sends.
    """
    return post.comments_open and user.role in ROLES


def post_or_404(user, post_id):
    """A post (with author and group) this user may open; 404 otherwise, also for guessed ids.

    Published posts for those who see them; drafts and scheduled posts for those who may
    edit them.
    """
    post = (Post.select(Post, User, Group).join(User, on=Post.author)
            .switch(Post).join(Group, JOIN.LEFT_OUTER)
            .where(Post.id == real_id_or_404(post_id)).first())
    if post is None:
        abort(404)
    if visible_posts(user).where(Post.id == post.id).exists():
        return post
    published = post.published_at is not None and post.published_at <= utcnow()
    if not published and may_edit_post(user, post):
        return post
    abort(404)


def editable_post_or_404(user, post_id):
    """A post this user may change; 404 otherwise (a parent, staff of another group)."""
    post = post_or_404(user, post_id)
    if not may_edit_post(user, post):
        abort(404)
    return post


def commentable_post_or_refuse(user, post_id):
    """The post to react on: 404 when it is not visible, 403 when it takes no reactions."""
    post = post_or_404(user, post_id)
    published = post.published_at is not None and post.published_at <= utcnow()
    if not published or not may_comment(user, post):
        abort(403)
    return post


def visible_comment_or_404(user, comment_id):
    """A reaction on a post this user sees (hidden ones only for staff); 404 otherwise."""
    comment = Comment.get_or_none(Comment.id == real_id_or_404(comment_id))
    if comment is None or (comment.hidden_at is not None and not sees_hidden_comments(user)):
        abort(404)
    comment.post = post_or_404(user, comment.post_id)
    return comment


def moderated_comment_or_404(user, comment_id):
    """A reaction this user may hide: on a post of their group (or any, for admins)."""
    comment = visible_comment_or_404(user, comment_id)
    if not may_moderate_post(user, comment.post):
        abort(404)
    return comment


def visible_attachment_or_404(user, attachment_id):
    """An attachment of a post this user may open; 404 otherwise, also for guessed ids."""
    attachment = PostAttachment.get_or_none(PostAttachment.id == real_id_or_404(attachment_id))
    if attachment is None:
        abort(404)
    post_or_404(user, attachment.post_id)
    return attachment


def may_edit_house_rules(user):
    """The school's house rules for reactions are set by the office and the director."""
    return user.role == ROLE_ADMIN



# --- absence and leave (rules for that area go here) ------------------------------------

from .models.absence import AbsenceReport, LeaveRequest  # noqa: E402 (this area's models)


def absence_pupil_ids(user):
    """Subquery: pupils whose absences and leave (with reasons) this user may see.

    Reasons are health data: only the child's guardians, the staff of the child's group
    and admins see them. Admins also see pupils who left (the attendance record).
    """
    if user.role == ROLE_ADMIN:
        return Pupil.select(Pupil.id)
    if user.role == ROLE_STAFF:
        return Pupil.select(Pupil.id).where(Pupil.group.in_(_staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        return _own_children_ids(user)
    return Pupil.select(Pupil.id).where(SQL("1 = 0"))


def reporting_children(user):
    """The children a parent may report absent or ask leave for: their own, at school."""
    query = visible_pupils(user)
    return query if user.role == ROLE_PARENT else query.where(SQL("1 = 0"))


def absence_report_or_404(user, report_id):
    """One report, with its people, for those who may see it; 404 otherwise."""
    return _found_or_404(AbsenceReport.with_people().where(
        (AbsenceReport.id == real_id_or_404(report_id))
        & AbsenceReport.pupil.in_(absence_pupil_ids(user))).first())


def leave_request_or_404(user, leave_id):
    """One leave request, with its people, for those who may see it; 404 otherwise."""
    return _found_or_404(LeaveRequest.with_people().where(
        (LeaveRequest.id == real_id_or_404(leave_id))
        & LeaveRequest.pupil.in_(absence_pupil_ids(user))).first())


def is_guardian_of(user, pupil_id):
    """True for a parent or guardian of this pupil."""
    return user.role == ROLE_PARENT and Guardianship.select().where(
        (Guardianship.guardian == user) & (Guardianship.pupil == pupil_id)).exists()


def may_change_absence(user, report):
    """The child's guardians correct or withdraw a report (until it begins: `absences`)."""
    return is_guardian_of(user, report.pupil_id)


def may_acknowledge_absence(user, report):
    """The staff of the child's group (and admins) mark a report seen."""
    return may_manage_group(user, report.pupil.group_id)


def may_end_absence(user, report):
    """Guardians say "better again"; the teacher or office may too (the child is in class)."""
    return may_change_absence(user, report) or may_acknowledge_absence(user, report)


def may_withdraw_leave(user, leave):
    """The child's guardians take back a leave request (while it is pending)."""
    return is_guardian_of(user, leave.pupil_id)


def may_decide_leave(user):
    """Extraordinary leave is decided by the director (admins)."""
    return user.role == ROLE_ADMIN


# --- meetings (rules for that area go here) ---------------------------------------------

def meeting_rounds_visible_to(user):
    """Rounds: admins all; staff those with a group of theirs (or made by them); parents
    the published rounds of their children's groups."""
    from .models.meetings import MeetingRound
    from .models.meetings import MeetingRoundGroup as RoundGroup

    query = MeetingRound.select().order_by(MeetingRound.opens_at.desc(), MeetingRound.id.desc())
    rounds_of = RoundGroup.select(RoundGroup.round)
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(MeetingRound.id.in_(
            rounds_of.where(RoundGroup.group.in_(_staffed_group_ids(user))))
            | (MeetingRound.created_by == user.id))
    if user.role == ROLE_PARENT:
        groups = Pupil.select(Pupil.group).where(
            Pupil.id.in_(_own_children_ids(user)) & Pupil.at_school())
        return query.where(MeetingRound.published_at.is_null(False) & MeetingRound.id.in_(
            rounds_of.where(RoundGroup.group.in_(groups))))
    return query.where(SQL("1 = 0"))


def meeting_round_or_404(user, round_id):
    """A round this user may see; 404 otherwise, also for guessed ids."""
    from .models.meetings import MeetingRound

    return _found_or_404(meeting_rounds_visible_to(user).where(
        MeetingRound.id == real_id_or_404(round_id)).first())


def may_manage_meeting_round(user, meeting_round):
    """Admins, and staff who see the round (a group of theirs is in it), manage it."""
    from .models.meetings import MeetingRound

    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return False
    return meeting_rounds_visible_to(user).where(MeetingRound.id == meeting_round.id).exists()


def managed_meeting_round_or_404(user, round_id):
    """A round this member of staff manages; 404 for everyone else."""
    meeting_round = meeting_round_or_404(user, round_id)
    if not may_manage_meeting_round(user, meeting_round):
        abort(404)
    return meeting_round


def meeting_round_group_choices(user):
    """The groups a member of staff may invite to a round: admins all, teachers their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return Group.select().where(SQL("1 = 0"))
    return visible_groups(user)


def bookable_meeting_slot_or_404(user, pupil_id, slot_id):
    """(child, slot) when a parent may book it: own child, its teacher, a round it is in."""
    from .models.meetings import MeetingRound, MeetingSlot
    from .models.meetings import MeetingRoundGroup as RoundGroup

    pupil = None
    if user.role == ROLE_PARENT:
        pupil = visible_pupils(user).where(Pupil.id == real_id_or_404(pupil_id)).first()
    if pupil is None:
        abort(404)
    # A published round inviting the child's group is one the parent sees (the child is
    # their own and at school), so no wider visibility subquery is needed here.
    slot = (MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound).where(
        (MeetingSlot.id == real_id_or_404(slot_id)) & MeetingRound.published_at.is_null(False)
        & MeetingRound.id.in_(RoundGroup.select(RoundGroup.round)
                              .where(RoundGroup.group == pupil.group_id))
        & MeetingSlot.teacher.in_(GroupStaff.select(GroupStaff.staff)
                                  .where(GroupStaff.group == pupil.group_id))).first())
    return pupil, _found_or_404(slot)


def managed_meeting_block_or_404(user, block_id):
    """A block of times, for the staff who manage its round; 404 otherwise."""
    from .models.meetings import MeetingBlock, MeetingRound

    block = (MeetingBlock.select(MeetingBlock, MeetingRound).join(MeetingRound)
             .where(MeetingBlock.id == real_id_or_404(block_id)).first())
    if block is None or not may_manage_meeting_round(user, block.round):
        abort(404)
    return block


def managed_meeting_slot_or_404(user, slot_id):
    """A round's slot, for the staff who manage that round; 404 otherwise."""
    from .models.meetings import MeetingRound, MeetingSlot

    slot = (MeetingSlot.select(MeetingSlot, MeetingRound).join(MeetingRound)
            .where(MeetingSlot.id == real_id_or_404(slot_id)).first())
    if slot is None or not may_manage_meeting_round(user, slot.round):
        abort(404)
    return slot


def meeting_booking_or_404(user, booking_id):
    """A booking (with slot, teacher, child, round, request) for those who may see and cancel
    it: the guardians it is for, the teacher, the staff managing its round; 404 otherwise."""
    from .booking import booking_details
    from .models.meetings import MeetingBooking

    row = _found_or_404(booking_details().where(
        MeetingBooking.id == real_id_or_404(booking_id)).first())
    if user.role == ROLE_PARENT:
        own = Guardianship.select().where((Guardianship.guardian == user)
                                          & (Guardianship.pupil == row.pupil_id)).exists()
        allowed = own and row.scope in (0, user.id)
    else:
        allowed = row.slot.teacher_id == user.id or (
            row.round_id is not None and may_manage_meeting_round(user, row.round))
    if not allowed:
        abort(404)
    return row


def meeting_request_or_404(user, request_id):
    """An individual request: for the parent who asked, the teacher asked, and admins."""
    from .models.meetings import MeetingRequest

    request_row = _found_or_404(MeetingRequest.get_or_none(
        MeetingRequest.id == real_id_or_404(request_id)))
    if user.role != ROLE_ADMIN and user.id not in (request_row.asked_by_id,
                                                   request_row.teacher_id):
        abort(404)
    return request_row


def meeting_request_choices(user):
    """(child, teacher) pairs a parent may ask for a conversation: own children's teachers."""
    if user.role != ROLE_PARENT:
        return []
    children = list(visible_pupils(user))
    staff = GroupStaff.staff_by_group([c.group for c in children])
    return [(child, teacher) for child in children for teacher in staff.get(child.group_id, [])]


# --- calendar (rules for that area go here) ---------------------------------------------

from .models.calendar import Activity, ActivityGroup, CalendarImport  # noqa: E402


def visible_activities(user):
    """The activities this user sees: the whole school's, and those of their visible groups.

    Parents see their children's groups, staff their own groups, admins everything; the
    feed and every calendar page use this, so a Groep 5 parent never gets a 1/2A activity.
    """
    if user.role == ROLE_ADMIN:
        return Activity.select()
    groups = visible_groups(user, archived=True).select(Group.id).order_by()
    for_groups = ActivityGroup.select(ActivityGroup.activity).where(ActivityGroup.group.in_(groups))
    return Activity.select().where(Activity.whole_school | Activity.id.in_(for_groups))


def visible_activity_or_404(user, activity_id):
    """One activity this user sees; 404 otherwise, also for guessed ids."""
    return _found_or_404(visible_activities(user).where(
        Activity.id == real_id_or_404(activity_id)).first())


def calendar_groups(user):
    """The groups this user may put activities in: any for admins, their own for staff."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return Group.select().where(SQL("1 = 0"))
    return visible_groups(user)


def may_plan_for_whole_school(user):
    """Only admins (office, director) put activities in the whole school's calendar."""
    return user.role == ROLE_ADMIN


def may_manage_activity(user, activity, group_ids):
    """Admins change any activity; staff one that is only for groups of their own."""
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_STAFF or activity.whole_school or not group_ids:
        return False
    own = {g.id for g in visible_groups(user)}
    return set(group_ids) <= own


def manageable_activity_or_404(user, activity_id):
    """An activity this user may change, with `group_ids` filled; 404 otherwise."""
    activity = visible_activity_or_404(user, activity_id)
    activity.group_ids = [row.group_id for row in ActivityGroup.select(ActivityGroup.group)
                          .where(ActivityGroup.activity == activity.id)]
    if not may_manage_activity(user, activity, activity.group_ids):
        abort(404)
    return activity


def own_calendar_import_or_404(user, key):
    """An .ics upload this member of staff checked; 404 for anyone else's and guessed keys."""
    found = None
    if user.role in (ROLE_ADMIN, ROLE_STAFF) and key:
        found = CalendarImport.get_or_none(
            (CalendarImport.key == key[:64]) & (CalendarImport.uploaded_by == user))
    if found is None:
        abort(404)
    return found


# --- surveys and calls for help (rules for that area go here) ---------------------------

from .models.surveys import HelpCall, Survey, SurveyGroup  # noqa: E402 (this area's models)


def _nothing(query):
    """The query made empty: this user may see none of it."""
    return query.where(SQL("1 = 0"))


def _surveys_for(groups):
    """Subquery: the surveys addressed to any of these groups."""
    return SurveyGroup.select(SurveyGroup.survey).where(SurveyGroup.group.in_(groups))


def addressable_groups(user):
    """The groups this user may address a survey or call to: admins any, staff their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return _nothing(Group.ordered())
    return visible_groups(user)


def may_address_whole_school(user):
    """Only admins (office, director) ask the whole school."""
    return user.role == ROLE_ADMIN


def manageable_surveys(user):
    """Surveys this user builds and reads: admins all, staff those only for their own groups."""
    query = Survey.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return _nothing(query)
    staffed = _staffed_group_ids(user)
    elsewhere = SurveyGroup.select(SurveyGroup.survey).where(SurveyGroup.group.not_in(staffed))
    return query.where(~Survey.school_wide & Survey.id.in_(_surveys_for(staffed))
                       & Survey.id.not_in(elsewhere))


def manageable_survey_or_404(user, survey_id):
    """A survey this user may build and read; 404 otherwise, also for guessed ids."""
    return _found_or_404(manageable_surveys(user).where(
        Survey.id == real_id_or_404(survey_id)).first())


def answerable_surveys(user):
    """Published surveys for this parent: the whole school's and their children's groups'."""
    query = Survey.select().where(Survey.published_at.is_null(False))
    if user.role != ROLE_PARENT:
        return _nothing(query)
    groups = visible_groups(user).select(Group.id).order_by()
    return query.where(Survey.school_wide | Survey.id.in_(_surveys_for(groups)))


def answerable_survey_or_404(user, survey_id):
    """A survey this parent may see and answer; 404 otherwise (other groups, drafts, guesses)."""
    return _found_or_404(answerable_surveys(user).where(
        Survey.id == real_id_or_404(survey_id)).first())


def visible_calls(user):
    """Calls for help this user sees: the whole school's and those of their visible groups."""
    query = HelpCall.select()
    if user.role == ROLE_ADMIN:
        return query
    groups = visible_groups(user).select(Group.id).order_by()
    return query.where(HelpCall.group.is_null() | HelpCall.group.in_(groups))


def visible_call_or_404(user, call_id):
    """One call this user sees; 404 otherwise, also for guessed ids."""
    return _found_or_404(visible_calls(user).where(
        HelpCall.id == real_id_or_404(call_id)).first())


def manageable_calls(user):
    """Calls this user may change: admins all, staff those of their own groups."""
    query = HelpCall.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return _nothing(query)
    return query.where(HelpCall.group.in_(_staffed_group_ids(user)))


def manageable_call_or_404(user, call_id):
    """A call this user may change; 404 otherwise."""
    return _found_or_404(manageable_calls(user).where(
        HelpCall.id == real_id_or_404(call_id)).first())


def may_sign_up(user, call):
    """Parents who see a call sign up for it; staff organise it."""
    return user.role == ROLE_PARENT


# --- conversations and directory (rules for that area go here) --------------------------

from .models.conversations import (  # noqa: E402 (this area's models, next to its rules)
    Conversation,
    ConversationMember,
    DirectoryEntry,
    Message,
    MessageAttachment,
)


def admins_read_every_conversation():
    """The safeguarding setting SAFEGUARDING_ADMIN_READ: admins may read (not write in) all.

    Off by default: a private conversation is read only by the people in it. A school that
    needs admins to read along for child safeguarding turns it on and says so to parents.
    """
    return bool(current_app.config.get("SAFEGUARDING_ADMIN_READ", False))


def reads_every_conversation(user):
    """True for an admin while the safeguarding setting lets admins read every conversation."""
    return user.role == ROLE_ADMIN and admins_read_every_conversation()


def parents_may_message_parents():
    """The setting PARENT_TO_PARENT_MESSAGES: parents may write to parents (off by default)."""
    return bool(current_app.config.get("PARENT_TO_PARENT_MESSAGES", False))


def conversation_or_404(user, conversation_id):
    """(conversation, may_write) for someone who may read it; 404 otherwise, also for guesses.

    Members read and write. Admins read and write where the office takes part; under the
    safeguarding setting they read every other conversation, without writing in it.
    """
    conversation = _found_or_404(Conversation.get_or_none(
        Conversation.id == real_id_or_404(conversation_id)))
    member = ConversationMember.select().where(
        (ConversationMember.conversation == conversation)
        & (ConversationMember.user == user)).exists()
    if member or (user.role == ROLE_ADMIN and conversation.with_office):
        return conversation, True
    if user.role == ROLE_ADMIN and admins_read_every_conversation():
        return conversation, False
    abort(404)


def message_attachment_or_404(user, attachment_id):
    """A file sent in a conversation, for those who may read that conversation; else 404."""
    attachment = _found_or_404(
        MessageAttachment.select(MessageAttachment, Message).join(Message)
        .where(MessageAttachment.id == real_id_or_404(attachment_id)).first())
    conversation_or_404(user, attachment.message.conversation_id)
    return attachment


def _reachable_accounts():
    """A filter for accounts that can read what is sent to them: active and activated."""
    return (User.active == True) & User.password_hash.is_null(False)  # noqa: E712


def staff_reachable_by_parent(user):
    """The teachers a parent may write to, with the child each teaches: [(teacher, pupil)]."""
    if user.role != ROLE_PARENT:
        return []
    children = {pupil.id: pupil for pupil in visible_pupils(user)}
    groups = {pupil.group_id for pupil in children.values()}
    teachers = (GroupStaff.select(GroupStaff, User).join(User)
                .where(GroupStaff.group.in_(list(groups)) & _reachable_accounts())
                .order_by(User.display_name))
    by_group = {}
    for row in teachers:
        by_group.setdefault(row.group_id, []).append(row.staff)
    return [(teacher, pupil) for pupil in children.values()
            for teacher in by_group.get(pupil.group_id, [])]


def parents_reachable_by_parent(user):
    """Parents a parent may write to: none, unless the school allows it; then the parents
    who show themselves in the directory of a group this parent's children are in."""
    if user.role != ROLE_PARENT or not parents_may_message_parents():
        return User.select().where(SQL("1 = 0"))
    shared_groups = visible_groups(user).select(Group.id).order_by()
    children_there = Pupil.select(Pupil.id).where(
        Pupil.group.in_(shared_groups) & Pupil.at_school())
    in_directory = DirectoryEntry.select(DirectoryEntry.user).where(
        DirectoryEntry.show_in_directory == True)  # noqa: E712
    guardians = Guardianship.select(Guardianship.guardian).where(
        Guardianship.pupil.in_(children_there))
    return User.select().where(
        User.id.in_(guardians) & User.id.in_(in_directory) & (User.id != user.id)
        & (User.role == ROLE_PARENT) & _reachable_accounts()).order_by(User.display_name)


def pupils_reachable_by_staff(user):
    """Pupils whose guardians a member of staff may write to: own groups; all for admins."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return visible_pupils(user).where(SQL("1 = 0"))
    return visible_pupils(user)


def reachable_pupil_or_404(user, pupil_id):
    """A pupil whose guardians this member of staff may write to; 404 otherwise."""
    return _found_or_404(pupils_reachable_by_staff(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def guardians_reachable_by_staff(user, pupil):
    """The guardians of this pupil who can read a message, for staff who may reach the pupil."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return []
    return list(User.select().join(Guardianship, on=(Guardianship.guardian == User.id)).where(
        (Guardianship.pupil == pupil) & (User.role == ROLE_PARENT) & _reachable_accounts()
    ).order_by(User.display_name))


# --- photos and albums (rules for that area go here) -----------------------------------
# A parent sees a photo only when every child tagged in it has consent for the album's
# space ('group' for a group album, 'school' for a school-wide album). This is worked out
# in the query at every page load, so a withdrawn consent hides the photo at once. Staff
# who may see the album see held-back photos too, marked (see `photo_held_back`).

def photo_held_back():
    """SQL condition, true for a photo showing a child without consent for its album's space.

    Use in a query that selects Photo joined to Album.
    """
    from .models.consent import Consent, ConsentCategory
    from .models.photos import Album, Photo, PhotoTag

    space = Case(None, [(Album.group.is_null(), "school")], "group")
    consented = (Consent.select(SQL("1")).join(ConsentCategory)
                 .where((Consent.pupil == PhotoTag.pupil) & (Consent.granted == True)  # noqa: E712
                        & (ConsentCategory.active == True)  # noqa: E712
                        & (ConsentCategory.space == space)))
    missing = PhotoTag.select(SQL("1")).where(
        (PhotoTag.photo == Photo.id) & ~fn.EXISTS(consented))
    return fn.EXISTS(missing)


def visible_albums(user):
    """The albums this user may open: school-wide ones and those of visible groups."""
    from .models.photos import Album

    query = Album.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role not in (ROLE_STAFF, ROLE_PARENT):
        return query.where(SQL("1 = 0"))
    groups = visible_groups(user, archived=True).select(Group.id).order_by()
    return query.where(Album.group.is_null() | Album.group.in_(groups))


def album_or_404(user, album_id):
    """An album this user may open; 404 otherwise, also for guessed ids."""
    from .models.photos import Album

    return _found_or_404(visible_albums(user).where(Album.id == real_id_or_404(album_id)).first())


def visible_photos(user):
    """Photos (joined to their album) this user may see: parents never see held-back ones."""
    from .models.photos import Album, Photo

    albums = visible_albums(user).select(Album.id)
    query = Photo.select(Photo, Album).join(Album).where(Photo.album.in_(albums))
    if user.role == ROLE_PARENT:
        query = query.where(~photo_held_back())
    return query


def photo_or_404(user, photo_id):
    """A photo this user may see (and download); 404 otherwise."""
    from .models.photos import Photo

    return _found_or_404(visible_photos(user).where(Photo.id == real_id_or_404(photo_id)).first())


def may_manage_album(user, album):
    """Admins; staff of the album's group; any staff for school-wide albums (not archived)."""
    if album.group_id is not None and is_archived(album.group_id):
        return False
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_STAFF:
        return False
    return album.group_id is None or may_manage_group(user, album.group_id)


def manageable_album_or_404(user, album_id):
    """An album this user may manage (upload, tag, delete); 404 otherwise."""
    album = album_or_404(user, album_id)
    if not may_manage_album(user, album):
        abort(404)
    return album


def manageable_photo_or_404(user, photo_id):
    """A photo (with its album) of an album this user may manage; 404 otherwise."""
    photo = photo_or_404(user, photo_id)
    if not may_manage_album(user, photo.album):
        abort(404)
    return photo


def may_create_album(user):
    """Staff and admins make albums (school-wide, or in groups they manage)."""
    return user.role in (ROLE_ADMIN, ROLE_STAFF)


def album_groups(user):
    """The groups this user may make an album in: admins any, staff their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return Group.select().where(SQL("1 = 0"))
    return visible_groups(user)


def taggable_pupils(user, album):
    """The pupils who can be tagged in an album's photos: its group, or the whole school."""
    query = (Pupil.select(Pupil, Group).join(Group).where(Pupil.at_school())
             .order_by(Group.sort_order, Group.name, Pupil.first_name, Pupil.last_name))
    if not may_manage_album(user, album):
        return query.where(SQL("1 = 0"))
    return query if album.group_id is None else query.where(Pupil.group == album.group_id)


def missing_consent(album):
    """The tags (with pupil) in this album whose child lacks consent for its space.

    The same rule as `photo_held_back`, per child: for telling staff who holds a photo back.
    """
    from .models.consent import Consent, ConsentCategory
    from .models.photos import Photo, PhotoTag

    consented = (Consent.select(SQL("1")).join(ConsentCategory)
                 .where((Consent.pupil == PhotoTag.pupil) & (Consent.granted == True)  # noqa: E712
                        & (ConsentCategory.active == True)  # noqa: E712
                        & (ConsentCategory.space == album.consent_space)))
    return (PhotoTag.select(PhotoTag, Pupil).join(Pupil).switch(PhotoTag).join(Photo)
            .where((Photo.album == album.id) & ~fn.EXISTS(consented))
            .order_by(Pupil.first_name, Pupil.last_name))


# --- photo consent (rules for that area go here) ----------------------------------------
# Parents choose for their own children at school; staff read the choices and history of
# their groups' pupils, admins of all; only admins manage the categories.

def consent_children(user):
    """The children a parent chooses photo consent for: own children at school."""
    query = visible_pupils(user)
    return query if user.role == ROLE_PARENT else query.where(SQL("1 = 0"))


def consent_choosable_pupils(user):
    """The pupils whose consent this user may set: a parent's own children at school, and
    for admins every pupil at school (the office records a paper consent form)."""
    if user.role == ROLE_ADMIN:
        return visible_pupils(user)
    return consent_children(user)


def consent_child_or_404(user, pupil_id):
    """A child whose consent this user may set; 404 for anyone else's, also for guesses."""
    return _found_or_404(consent_choosable_pupils(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def may_set_consent_of(user, pupil):
    """True when this user may set the pupil's consent (used to show the buttons)."""
    return consent_choosable_pupils(user).where(Pupil.id == pupil.id).exists()


def records_paper_consent(user, pupil):
    """True when the office may record a parent's paper form for this pupil (admins only)."""
    return user.role == ROLE_ADMIN and may_set_consent_of(user, pupil)


def consent_groups(user):
    """The groups whose consent overview this user may read: own groups for staff; admins all."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return Group.ordered().where(SQL("1 = 0"))
    return visible_groups(user)


def consent_group_or_404(user, group_id):
    """A group whose consent overview this user may read; 404 otherwise."""
    return _found_or_404(consent_groups(user).where(
        Group.id == real_id_or_404(group_id)).first())


def consent_pupil_or_404(user, pupil_id):
    """A child whose choices and history this user may read: own child, own group, or any
    for admins; 404 otherwise."""
    return _found_or_404(visible_pupils(user).where(Pupil.id == real_id_or_404(pupil_id)).first())


def consent_category_or_404(user, category_id):
    """Any consent category (also a deactivated one), for admins; 404 otherwise."""
    from .models.consent import ConsentCategory

    return _found_or_404(_admins_only(user, ConsentCategory.select()).where(
        ConsentCategory.id == real_id_or_404(category_id)).first())


def consent_followed_pupils(user):
    """Subquery: the pupils whose consent changes a member of staff is told about."""
    if user.role != ROLE_STAFF:
        return Pupil.select(Pupil.id).where(SQL("1 = 0"))
    return Pupil.select(Pupil.id).where(
        Pupil.group.in_(_staffed_group_ids(user)) & Pupil.at_school())


# --- coaching and research footage (rules for that area go here) -------------------------
# A closed circle: footage for coaching or research is seen by the member of staff who
# uploaded it (and so scheduled its destruction), by the staff of the group it was made
# in, and by admins (the director answers for it). Parents never: every route is
# staff_only, and these queries are empty for them. Whoever may see an item may destroy
# it early (destroying sooner only ever shrinks who can see it); the record says who did.
# Destruction records: staff see those of footage they scheduled or destroyed; admins all.

from .models.coaching import CoachingMedia, DestructionRecord  # noqa: E402 (this area's models)


def coaching_media(user):
    """The footage this user may see: own uploads and own groups' for staff, all for admins."""
    query = CoachingMedia.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return query.where(SQL("1 = 0"))
    return query.where((CoachingMedia.scheduled_by == user.id)
                       | CoachingMedia.group.in_(_staffed_group_ids(user)))


def coaching_media_or_404(user, media_id):
    """One item of footage this user may see (and destroy early); 404 otherwise."""
    return _found_or_404(coaching_media(user).where(
        CoachingMedia.id == real_id_or_404(media_id)).first())


def coaching_groups(user):
    """The groups footage may be linked to: every group for admins, their own for staff."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return Group.select().where(SQL("1 = 0"))
    return visible_groups(user)


def destruction_records(user):
    """Destruction records: staff those they scheduled or carried out; admins all."""
    query = DestructionRecord.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return query.where(SQL("1 = 0"))
    return query.where((DestructionRecord.scheduled_by == user.id)
                       | (DestructionRecord.destroyed_by == user.id))


# --- audit log, retention, devices (rules for that area go here) --------------------------
# Admins read the whole audit log (the pages are @admin_only too); nobody may change an
# entry, so there is no "may edit" rule and no route that writes one.

def audit_entries(user):
    """The audit log entries this user may read: every entry for admins, none otherwise."""
    from .models.audit import AuditEntry

    query = AuditEntry.select()
    if user.role != ROLE_ADMIN:
        query = query.where(SQL("1 = 0"))
    return query



# --- family export and erasure (rules for that area go here) -----------------------------
# A parent exports only their own family (the route takes no id). Admins find any family
# (to export it for a request by mail, or to erase it); erased accounts are not families.

from .models.erasure import Erasure  # noqa: E402 (this area's model, next to its rules)


def exporting_parent(user):
    """The account a parent's own export is about: always their own; 404 for anyone else."""
    if user.role != ROLE_PARENT:
        abort(404)
    return user


def family_accounts(user):
    """Parent accounts (not erased) an admin may export or erase; none for anyone else."""
    return _admins_only(user, User.select().where(
        (User.role == ROLE_PARENT) & User.erased_at.is_null()))


def family_account_or_404(user, account_id):
    """One parent account for an admin's family pages; 404 otherwise."""
    return _found_or_404(family_accounts(user).where(
        User.id == real_id_or_404(account_id)).first())


def erasure_or_404(user, erasure_id):
    """One erasure, for admins; 404 otherwise."""
    return _found_or_404(_admins_only(user, Erasure.select()).where(
        Erasure.id == real_id_or_404(erasure_id)).first())



# --- school-year rollover and archived groups (rules for that area go here) ---------------

def is_archived(group):
    """True for a group of a school year that was rolled over: read-only for everyone."""
    if isinstance(group, Group) and "archived_at" in group.__data__:
        return group.archived_at is not None
    return Group.select().where((Group.id == group) & Group.archived_at.is_null(False)).exists()


def archived_groups(user):
    """The archived groups this user may read: admins all, staff those they taught."""
    query = Group.select().where(Group.archived_at.is_null(False)).order_by(
        Group.school_year.desc(), Group.sort_order, Group.name)
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Group.id.in_(_staffed_group_ids(user)))
    return query.where(SQL("1 = 0"))
