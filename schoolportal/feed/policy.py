"""Who may see and change posts, reactions and attachments."""

from flask import abort
from peewee import JOIN, SQL

from schoolportal.authz import (
    NO_ROWS,
    is_archived,
    is_staff_or_admin,
    may_manage_group,
    nothing,
    real_id_or_404,
    staffed_group_ids,
    visible_group_ids,
    visible_groups,
)
from schoolportal.core.models import ROLE_ADMIN, ROLE_STAFF, ROLES, Group, User, utcnow
from schoolportal.feed.models import Comment, Post, PostAttachment


def visible_posts(user):
    """Published posts this user sees: school-wide ones and those of their visible groups."""
    now = utcnow()
    groups = post_groups(user)
    return _published(now) if groups is None else posts_of_groups(groups, now)


def post_groups(user):
    """The groups whose posts this user sees besides the school-wide ones: None for admins
    (every post), else their visible groups' ids, last years' too (a list, or for staff a
    subquery). Prepared queries take the list as an argument."""
    return None if user.role == ROLE_ADMIN else visible_group_ids(user, archived=True)


def _published(now):
    return Post.select().where(Post.published_at.is_null(False) & (Post.published_at <= now))


def posts_of_groups(group_ids, now):
    """Posts published by `now`, school-wide or of these groups (`visible_posts` of a user
    whose visible groups they are)."""
    return _published(now).where(Post.group.is_null() | Post.group.in_(group_ids))


def unpublished_posts(user):
    """Drafts and scheduled posts: staff see their own, admins everyone's."""
    now = utcnow()
    query = Post.select().where(Post.published_at.is_null() | (Post.published_at > now))
    if user.role == ROLE_ADMIN:
        return query
    if user.role == ROLE_STAFF:
        return query.where(Post.author == user.id)
    return nothing(query)


def postable_groups(user):
    """The groups this user may post to: every group for admins, their own for staff."""
    if user.role == ROLE_ADMIN:
        return visible_groups(user)
    return visible_groups(user) if user.role == ROLE_STAFF else nothing(Group.select())


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
        return NO_ROWS
    return (Post.author == user.id) | Post.group.in_(staffed_group_ids(user))


def sees_hidden_comments(user):
    """Staff see hidden reactions (marked, with who hid them); parents do not see them."""
    return is_staff_or_admin(user)


def may_comment(user, post):
    """Reactions only on published group posts whose reactions are open, by anyone who sees it.

    Seeing a group post already means being a parent of a pupil in that group, its staff
    or an admin; school-wide posts never take reactions, whatever a client sends.
    """
    return post.comments_open and user.role in ROLES


def post_or_404(user, post_id, columns=()):
    """A post (with author and group) this user may open; 404 otherwise, also for guessed ids.

    Published posts for those who see them; drafts and scheduled posts for those who may
    edit them. `columns`: more (aliased) values to load with it, e.g. whether it has files.
    """
    post_id = real_id_or_404(post_id)
    # Whether the user sees it as a published post comes along as a column: one statement.
    seen = Post.id.in_(visible_posts(user).where(Post.id == post_id).select(Post.id))
    post = (Post.select(Post, User, Group, seen.alias("seen_as_published"), *columns)
            .join(User, on=Post.author).switch(Post).join(Group, JOIN.LEFT_OUTER)
            .where(Post.id == post_id).first())
    if post is None:
        abort(404)
    if post.seen_as_published:
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


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "post": (Post, post_or_404),
    "comment": (Comment, visible_comment_or_404),
    "post_attachment": (PostAttachment, visible_attachment_or_404),
}
