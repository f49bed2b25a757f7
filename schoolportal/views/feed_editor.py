"""Writing posts (staff): new, edit, delete, and the list of drafts and scheduled posts."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import authz, media, posts
from ..forms.feed import SCHOOL_WIDE, ConfirmForm, EditPostForm, PostForm, local_time, now_local
from ..models.feed import Post, PostAttachment
from ..rendering import render_page
from .feed import bp


@bp.get("/posts/new")
@authz.staff_only
def new_post():
    """The editor for a new post; ?group= ticks that group (or the whole school)."""
    form = PostForm(formdata=None, groups=_groups())
    wanted = request.args.get("group", "")[:12]
    if wanted in [choice.value for choice in form.audience.choices]:
        form.audience.data = [wanted]
    form.publish_at.data = now_local()
    return _editor(form)


@bp.post("/posts/new")
@authz.staff_only
def create_post():
    """Publish, schedule or keep a draft; one copy per chosen group."""
    groups = _groups()
    form = PostForm(groups=groups)
    if not form.validate_on_submit():
        return _editor(form, status=422)
    stored = _store_uploads(form)
    if stored is None:
        return _editor(form, status=422)
    by_id = {str(g.id): g for g in groups}
    audience = [None] if SCHOOL_WIDE in form.audience.data else [
        by_id[value] for value in form.audience.data]
    created = posts.create_posts(current_user, audience, _content(form), stored,
                                 form.publication())
    flash(_published_message(form.when.data, len(created)), "success")
    return redirect(url_for(".post", post_id=created[0].id))


@bp.get("/posts/<int:post_id>/edit")
@authz.staff_only
def edit_post(post_id):
    """The editor for an existing post."""
    post = authz.editable_post_or_404(current_user, post_id)
    attachments = _attachments(post)
    form = EditPostForm(formdata=None, obj=post, attachments=attachments)
    form.when.data = _when(post)
    form.publish_at.data = local_time(post.published_at) or now_local()
    return _editor(form, post=post, attachments=attachments)


@bp.post("/posts/<int:post_id>/edit")
@authz.staff_only
def update_post(post_id):
    """Save changes; a published post whose text changed shows "edited"."""
    post = authz.editable_post_or_404(current_user, post_id)
    attachments = _attachments(post)
    form = EditPostForm(attachments=attachments)
    published = posts.is_published(post)
    valid = form.validate_on_submit()
    if valid and not published and form.when.data not in ("now", "later", "draft"):
        form.when.errors = [_("Choose when the post appears.")]
        valid = False
    if not valid:
        return _editor(form, post=post, attachments=attachments, status=422)
    stored = _store_uploads(form)
    if stored is None:
        return _editor(form, post=post, attachments=attachments, status=422)
    posts.update_post(post, _content(form), stored, form.remove_attachments.data or [],
                      publish_at=None if published else form.publication(),
                      schedule=not published)
    flash(_("The post has been saved."), "success")
    return redirect(url_for(".post", post_id=post.id))


@bp.post("/posts/<int:post_id>/delete")
@authz.staff_only
def delete_post(post_id):
    """Delete a post with its reactions and files."""
    post = authz.editable_post_or_404(current_user, post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    posts.delete_post(post)
    flash(_("The post has been deleted."), "success")
    return redirect(url_for(".index"))


@bp.get("/posts/drafts")
@authz.staff_only
def drafts():
    """Drafts and scheduled posts (own ones; admins see everyone's)."""
    waiting = list(authz.unpublished_posts(current_user).order_by(
        Post.published_at.is_null(False), Post.published_at, Post.created_at.desc()))
    return render_page("feed/drafts.html", posts=waiting)


def _groups():
    """The groups this member of staff may post to, this school year first."""
    return list(authz.postable_groups(current_user))


def _content(form):
    """The post's text and flags from the form."""
    return posts.PostContent(
        title=form.title.data.strip(), body=form.body.data.strip(), kind=form.kind.data,
        pinned=bool(form.pinned.data), urgent=bool(form.urgent.data))


def _store_uploads(form):
    """The stored files, or None after putting the refusal next to the field."""
    try:
        return posts.store_files(form.uploads())
    except media.MediaRejected as rejected:
        form.files.errors = [rejected.message]
        return None


def _attachments(post):
    """A post's files, in the order they were added."""
    return list(PostAttachment.select().where(PostAttachment.post == post.id)
                .order_by(PostAttachment.id))


def _when(post):
    """The editor's "when" choice that matches a post."""
    if post.published_at is None:
        return "draft"
    return "now" if posts.is_published(post) else "later"


def _published_message(when, count):
    """What the author is told after saving a new post."""
    if when == "draft":
        return _("The draft has been saved. Only you can see it.")
    if when == "later":
        return _("The post has been scheduled.")
    if count > 1:
        return _("The post has been published in %(count)d groups.", count=count)
    return _("The post has been published.")


def _editor(form, post=None, attachments=(), status=200):
    """The post editor page."""
    return render_page("feed/editor.html", status=status, form=form, post=post,
                       attachments=attachments, delete_form=ConfirmForm(formdata=None),
                       published=post is not None and posts.is_published(post))
