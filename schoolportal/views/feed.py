"""The group feed and school-wide news: the timeline, a post's page, its attachments.

Writing posts is in feed_editor.py, reactions and moderation in feed_comments.py.
"""

from datetime import timedelta

from flask import Blueprint, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import authz, comments, feed_demo, hooks, media, posts, timeline
from ..forms.feed import CommentForm, ConfirmForm
from ..models import ROLES, Group, utcnow
from ..models.feed import Post, PostRead
from ..rendering import render_page, wants_fragment

bp = Blueprint("feed", __name__)
BADGE_DAYS = 14
HOME_POSTS = 3


@bp.get("/feed")
@authz.signed_in
def index():
    """The timeline: school-wide news and the user's groups, one group at a time if asked."""
    choice = request.args.get("group", "")[:12]
    group = _filter_group(choice)
    cursor = _cursor()
    items, next_cursor = timeline.feed_page(
        current_user, group_id=group.id if group else None, school_only=choice == "school",
        cursor=cursor)
    context = {"items": items, "next_cursor": next_cursor, "choice": choice, "group": group,
               "older": cursor is not None, "filter_groups": _filter_groups(),
               "house_rules": comments.house_rules(), "comment_form": CommentForm(formdata=None)}
    if cursor is not None and wants_fragment():
        return render_page("feed/index.html", "partials/feed/items.html", **context)
    return render_page("feed/index.html", "partials/feed/timeline.html", **context)


@bp.get("/posts/<int:post_id>")
@authz.signed_in
def post(post_id):
    """One post with all its reactions; staff also see who has and has not read it."""
    found = authz.post_or_404(current_user, post_id)
    return post_page(found, CommentForm(formdata=None))


def post_page(found, comment_form, status=200):
    """The post page (also re-shown with a refused reaction)."""
    [item] = timeline.build_items(current_user, [found], comments_shown=None)
    readers = posts.readers_of(found) if authz.may_see_reads(current_user, found) else None
    return render_page(
        "feed/post.html", "partials/feed/comment_form.html", status=status, item=item,
        post=found, readers=readers, form=comment_form, comment_form=comment_form,
        house_rules=comments.house_rules(), action_form=ConfirmForm(formdata=None),
        may_edit=authz.may_edit_post(current_user, found),
        may_moderate=authz.may_moderate_post(current_user, found),
        published=posts.is_published(found),
    )


@bp.get("/attachments/<int:attachment_id>")
@authz.signed_in
def attachment(attachment_id):
    """A post's file, for those who may open the post (photos open in the browser)."""
    found = authz.visible_attachment_or_404(current_user, attachment_id)
    return media.send(posts.MEDIA_AREA, found.file_name, found.download_name, found.mimetype,
                      inline=found.mimetype.startswith("image/"))


def _filter_group(choice):
    """The group asked for in ?group=, when this user sees it; 404 for any other id."""
    if choice in ("", "school"):
        return None
    if not choice.isdigit():
        abort(404)
    return authz.visible_group_or_404(current_user, authz.real_id_or_404(int(choice)))


def _filter_groups():
    """The groups to filter on; None means the menu's groups (nav_groups) serve.

    Admins have no groups in the menu: they filter on this school year's groups.
    """
    if not current_user.is_admin:
        return None
    latest = Group.select(Group.school_year).order_by(Group.school_year.desc()).limit(1)
    return list(Group.ordered().where(Group.school_year.in_(latest)))


def _cursor():
    """The ?older= cursor, or None for the first page; a malformed one is a 404."""
    text = request.args.get("older")
    if text is None:
        return None
    cursor = timeline.parse_cursor(text)
    if cursor is None:
        abort(404)
    return cursor


def unread_count(user):
    """Posts of the last two weeks this user has not opened (once per request)."""
    if "feed_unread" not in g:
        since = utcnow() - timedelta(days=BADGE_DAYS)
        seen = PostRead.select(PostRead.post).where(PostRead.user == user.id)
        g.feed_unread = (authz.visible_posts(user)
                         .where((Post.published_at > since) & Post.id.not_in(seen)).count())
    return min(g.feed_unread, 99)


hooks.nav_item("feed.index", _l("News"), order=10, badge=unread_count)


@hooks.home_panel(ROLES, "partials/feed/home.html", order=10)
def latest_news(user):
    """The newest posts on the home page, with a link to the feed."""
    latest = list(authz.visible_posts(user).select(Post.id, Post.title, Post.published_at,
                                                   Post.urgent)
                  .order_by(Post.published_at.desc(), Post.id.desc()).limit(HOME_POSTS))
    return {"posts": latest}


hooks.demo_example(feed_demo.seed_feed)

from . import feed_comments, feed_editor  # noqa: E402, F401 (their routes join this blueprint)
