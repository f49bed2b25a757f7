"""The group feed and school-wide news: the timeline, a post's page, its attachments.

Writing posts is in feed_editor.py, reactions and moderation in feed_comments.py.
"""

from flask import abort, request
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import media
from schoolportal.core.models import Group
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.feed import comments, policy, posts, timeline
from schoolportal.feed.forms import CommentForm, ConfirmForm
from schoolportal.views.feed import bp


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
               "older": cursor is not None, "filter_groups": _filter_groups()}
    if cursor is not None and wants_fragment():
        return render_page("feed/index.html", "partials/feed/items.html", **context)
    return render_page("feed/index.html", "partials/feed/timeline.html", **context)


@bp.get("/posts/<int:post_id>")
@authz.signed_in
def post(post_id):
    """One post with all its reactions; staff also see who has and has not read it."""
    found = policy.post_or_404(current_user, post_id, columns=[
        *timeline.has_files_and_photos(), comments.rules_column()])
    return post_page(found, CommentForm(formdata=None))


def post_page(found, comment_form, status=200):
    """The post page (also re-shown with a refused reaction)."""
    readers = posts.readers_of(found) if policy.may_see_reads(current_user, found) else None
    counted = {}  # as posts.read_counts gives them: no entry when nobody is meant to read it
    if readers and (readers[0] or readers[1]):
        counted[found.id] = (len(readers[0]), len(readers[0]) + len(readers[1]))
    [item] = timeline.build_items(current_user, [found], comments_shown=None, reads=counted)
    return render_page(
        "feed/post.html", "partials/feed/comment_form.html", status=status, item=item,
        post=found, readers=readers, form=comment_form, comment_form=comment_form,
        house_rules=comments.house_rules(read_with=found), action_form=ConfirmForm(formdata=None),
        may_edit=policy.may_edit_post(current_user, found),
        may_moderate=policy.may_moderate_post(current_user, found),
        published=posts.is_published(found),
    )


@bp.get("/attachments/<int:attachment_id>")
@authz.signed_in
def attachment(attachment_id):
    """A post's file, for those who may open the post (photos open in the browser)."""
    found = policy.visible_attachment_or_404(current_user, attachment_id)
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




