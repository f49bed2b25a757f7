"""Writing posts (staff): new, edit, delete, and the list of drafts and scheduled posts."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from schoolportal import authz
from schoolportal.albums import forms as albums_forms
from schoolportal.albums import policy as albums_policy
from schoolportal.albums import post_photos
from schoolportal.albums import service as albums_service
from schoolportal.albums.models import Photo
from schoolportal.core import media
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.feed import policy, posts
from schoolportal.feed.forms import (
    SCHOOL_WIDE,
    ConfirmForm,
    EditPostForm,
    PostForm,
    local_time,
    now_local,
)
from schoolportal.feed.models import Post, PostAttachment
from schoolportal.views import me, redirect_after_upload
from schoolportal.views.feed import bp


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
    if not form.validate_on_submit() or not _urgent_allowed(form):
        return _editor(form, status=422)
    prepared = _prepared_photos(form)
    stored = _store_uploads(form) if prepared is not None else None
    if stored is None:
        return _editor(form, status=422)
    by_id = {str(g.id): g for g in groups}
    audience = [None] if SCHOOL_WIDE in form.audience.data else [
        by_id[value] for value in form.audience.data]
    created = posts.create_posts(me(), audience, _content(form), stored,
                                 form.publication())
    for post in created:  # each group's copy gets its own photos (consent is per space)
        post_photos.attach(post, me(), prepared)
    flash(_published_message(form.when.data, len(created)), "success")
    if prepared:
        flash(ngettext("%(num)d photo added. It is being processed; then tick who is in it.",
                       "%(num)d photos added. They are being processed; then tick who is "
                       "in each photo.", len(prepared)), "info")
        return redirect_after_upload(url_for(".edit_post", post_id=created[0].id,
                                             _anchor="albums-processing"))
    return redirect_after_upload(url_for(".post", post_id=created[0].id))


@bp.get("/posts/<int:post_id>/edit")
@authz.staff_only
def edit_post(post_id):
    """The editor for an existing post."""
    post = policy.editable_post_or_404(current_user, post_id)
    if request.args.get("part") == "processing" and wants_fragment():  # htmx polls
        return render_page("feed/editor.html", "partials/albums/processing.html", polled=True,
                           **_processing(post))
    attachments = _attachments(post)
    form = EditPostForm(formdata=None, obj=post, attachments=attachments)
    form.when.data = _when(post)
    form.publish_at.data = local_time(post.published_at) or now_local()
    return _editor(form, post=post, attachments=attachments)


@bp.post("/posts/<int:post_id>/edit")
@authz.staff_only
def update_post(post_id):
    """Save changes; a published post whose text changed shows "edited"."""
    post = policy.editable_post_or_404(current_user, post_id)
    attachments = _attachments(post)
    form = EditPostForm(attachments=attachments)
    published = posts.is_published(post)
    valid = form.validate_on_submit() and _urgent_allowed(form, post)
    if valid and not published and form.when.data not in ("now", "later", "draft"):
        form.when.errors = [_("Choose when the post appears.")]
        valid = False
    if not valid:
        return _editor(form, post=post, attachments=attachments, status=422)
    tags = _chosen_tags(post)
    if tags is None:
        form.photos.errors = [_("Tick either children or “Nobody recognisable” for a photo, "
                                "not both.")]
        return _editor(form, post=post, attachments=attachments, status=422)
    prepared = _prepared_photos(form)
    stored = _store_uploads(form) if prepared is not None else None
    if stored is None:
        return _editor(form, post=post, attachments=attachments, status=422)
    for photo_id, choice in tags.items():
        albums_service.set_tags(Photo(id=photo_id), me(),
                                [] if choice == albums_forms.NOBODY else choice)
    post_photos.attach(post, me(), prepared)
    posts.update_post(post, _content(form, post), stored, form.remove_attachments.data or [],
                      publish_at=None if published else form.publication(),
                      schedule=not published)
    flash(_("The post has been saved."), "success")
    return redirect_after_upload(url_for(".post", post_id=post.id))


@bp.post("/posts/<int:post_id>/delete")
@authz.staff_only
def delete_post(post_id):
    """Delete a post with its reactions and files."""
    post = policy.editable_post_or_404(current_user, post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    posts.delete_post(post)
    flash(_("The post has been deleted."), "success")
    return redirect(url_for(".index"))


@bp.get("/posts/drafts")
@authz.staff_only
def drafts():
    """Drafts and scheduled posts (own ones; admins see everyone's)."""
    waiting = list(policy.unpublished_posts(current_user).order_by(
        Post.published_at.is_null(False), Post.published_at, Post.created_at.desc()))
    return render_page("feed/drafts.html", posts=waiting)


def _groups():
    """The groups this member of staff may post to, this school year first."""
    return list(policy.postable_groups(current_user))


def _content(form, post=None):
    """The post's text and flags from the form (only admins set or clear "urgent")."""
    urgent = bool(form.urgent.data) if current_user.is_admin else bool(post and post.urgent)
    return posts.PostContent(
        title=form.title.data.strip(), body=form.body.data.strip(), kind=form.kind.data,
        pinned=bool(form.pinned.data), urgent=urgent)


def _urgent_allowed(form, post=None):
    """Urgent posts skip everyone's choices and quiet hours: the office and director only."""
    if current_user.is_admin or not form.urgent.data or (post is not None and post.urgent):
        return True
    form.urgent.errors = [_("Only the school office and the director can send urgent posts.")]
    return False


def _store_uploads(form):
    """The stored files, or None after putting the refusal next to the field."""
    try:
        return posts.store_files(form.uploads())
    except media.MediaRejected as rejected:
        form.files.errors = [rejected.message]
        return None


def _prepared_photos(form):
    """The photos made ready by the album pipeline, or None after putting the refusal next to
    the field."""
    try:
        return albums_service.prepare_uploads(form.photo_uploads())
    except albums_service.PhotosRejected as rejected:
        form.photos.errors = [f"{name}: {message}" if name else str(message)
                              for name, message in rejected.problems]
        return None


def _chosen_tags(post):
    """{photo id: pupils or NOBODY} ticked in the editor for the post's photos; None: invalid."""
    photos = post_photos.editor_photos(post)
    if not photos:
        return {}
    allowed = {p.id for p in albums_policy.taggable_pupils(current_user, photos[0].album)}
    chosen = albums_forms.chosen_tags([p.id for p in photos], allowed)
    if chosen is None:
        return None
    return {photo_id: choice for photo_id, choice in chosen.items() if choice}


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


def _processing(post):
    """What partials/albums/processing.html needs for a post's photos still being processed."""
    found = post_photos.processing_of(post)
    album, progress, unfinished = found if found else (None, None, [])
    return {"album": album, "progress": progress, "unfinished": unfinished, "for_post": post,
            "action_form": ConfirmForm(formdata=None),
            "poll_url": url_for(".edit_post", post_id=post.id, part="processing"),
            "page_url": url_for(".edit_post", post_id=post.id, _anchor="feed-photos")}


def _editor(form, post=None, attachments=(), status=200):
    """The post editor page (with the post's photos to tag once the worker has made them,
    and how far it is with the others)."""
    photos = post_photos.editor_photos(post) if post else []
    pupils = list(albums_policy.taggable_pupils(current_user, photos[0].album)) if photos else []
    processing = _processing(post) if post else {}
    return render_page("feed/editor.html", status=status, form=form, post=post,
                       photos=photos, pupils=pupils, processing=processing,
                       attachments=attachments, delete_form=ConfirmForm(formdata=None),
                       published=post is not None and posts.is_published(post))
