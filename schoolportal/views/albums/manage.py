"""Managing albums (staff): new album, upload, tagging who is in a photo, caption, cover, delete."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from schoolportal import authz
from schoolportal.albums import policy, service
from schoolportal.albums.forms import (
    NOBODY,
    SCHOOL_WIDE,
    ActionForm,
    AlbumDetailsForm,
    AlbumForm,
    CaptionForm,
    UploadForm,
    chosen_tags,
)
from schoolportal.albums.models import PHOTO_READY, Photo
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.feed import policy as feed_policy
from schoolportal.views import redirect_after_upload
from schoolportal.views.albums import bp
from schoolportal.views.albums.browse import viewer_context, viewer_page

TAG_BATCH_GROUP = 12  # photos per tagging page in a group album
TAG_BATCH_SCHOOL = 3  # in a school-wide album every pupil is a checkbox: fewer photos


@bp.get("/albums/new")
@authz.staff_only
def new_album():
    """The form for a new album; ?group= picks a group, ?post= attaches it to a post."""
    post = _post_from(request.args.get("post"))
    form = AlbumForm(formdata=None, groups=_groups())
    wanted = str(post.group_id or SCHOOL_WIDE) if post else request.args.get("group", "")[:12]
    if wanted in [choice.value for choice in form.space.choices]:
        form.space.data = wanted
    if post:
        form.title.data = post.title
    return render_page("albums/new.html", form=form, post=post)


@bp.post("/albums/new")
@authz.staff_only
def create_album():
    """Make the album, then go on to adding photos."""
    post = _post_from(request.form.get("post"))
    form = AlbumForm(groups=_groups())
    if post:  # an album of a post lives in the post's space
        form.space.data = str(post.group_id or SCHOOL_WIDE)
    if not form.validate_on_submit():
        return render_page("albums/new.html", status=422, form=form, post=post)
    groups = {str(g.id): g for g in _groups()}
    album = service.create_album(current_user, form.title.data.strip(),
                                (form.description.data or "").strip(),
                                group=groups.get(form.space.data), post=post)
    flash(_("The album has been made. Now add photos."), "success")
    return redirect(url_for(".upload_page", album_id=album.id))


@bp.get("/albums/<int:album_id>/edit")
@authz.staff_only
def edit_album(album_id):
    """The form to change an album's title and description."""
    album = policy.manageable_album_or_404(current_user, album_id)
    return render_page("albums/edit.html", album=album, form=AlbumDetailsForm(obj=album))


@bp.post("/albums/<int:album_id>/edit")
@authz.staff_only
def save_album(album_id):
    """Save the new title and description, then show the album."""
    album = policy.manageable_album_or_404(current_user, album_id)
    form = AlbumDetailsForm()
    if not form.validate_on_submit():
        return render_page("albums/edit.html", status=422, album=album, form=form)
    service.rename_album(album, form.title.data.strip(), (form.description.data or "").strip())
    flash(_("The album has been changed."), "success")
    return redirect(url_for(".album", album_id=album.id))


@bp.get("/albums/<int:album_id>/upload")
@authz.staff_only
def upload_page(album_id):
    """The upload form: many photos at once."""
    album = policy.manageable_album_or_404(current_user, album_id)
    return render_page("albums/upload.html", album=album, form=UploadForm(formdata=None))


@bp.post("/albums/<int:album_id>/upload")
@authz.staff_only
def upload(album_id):
    """Store the photos (all or none), then ask who is in them."""
    album = policy.manageable_album_or_404(current_user, album_id)
    form = UploadForm()
    problems = []
    if form.validate_on_submit():
        try:
            added = service.add_photos(album, current_user, form.uploads())
        except service.PhotosRejected as rejected:
            problems = rejected.problems
        else:
            flash(ngettext("%(num)d photo added. It is being processed; then tick who is in it.",
                           "%(num)d photos added. They are being processed; then tick who is "
                           "in each photo.", len(added)), "success")
            return redirect_after_upload(url_for(".album", album_id=album.id))
    return render_page("albums/upload.html", status=422, album=album, form=form,
                       problems=problems)


@bp.get("/albums/<int:album_id>/tag")
@authz.staff_only
def tag_page(album_id):
    """Who is in each photo not checked yet: a list of checkboxes per photo."""
    album = policy.manageable_album_or_404(current_user, album_id)
    return _tag_page(album)


@bp.post("/albums/<int:album_id>/tag")
@authz.staff_only
def save_tags(album_id):
    """Save the tags of a batch of photos; warn at once about photos held back."""
    album = policy.manageable_album_or_404(current_user, album_id)
    ids = [int(v) for v in request.form.getlist("photo")[:100] if v.isdigit()]
    batch = list(Photo.select().where((Photo.album == album.id) & Photo.id.in_(ids)
                                         & (Photo.state == PHOTO_READY)))
    allowed = {pupil.id for pupil in policy.taggable_pupils(current_user, album)}
    choices = chosen_tags([photo.id for photo in batch], allowed)
    if not ActionForm().validate_on_submit() or choices is None:
        return _tag_page(album, error=_("Nothing was saved: tick either children or "
                                        "“Nobody recognisable” for a photo, not both."),
                         status=422)
    for photo in batch:
        choice = choices[photo.id]
        if choice:
            service.set_tags(photo, current_user, [] if choice == NOBODY else choice)
    _warn_held_back(album, {photo.id for photo in batch})
    return redirect(url_for(".album", album_id=album.id))


@bp.post("/albums/photos/<int:photo_id>/tags")
@authz.staff_only
def tag_photo(photo_id):
    """Save who is in one photo (htmx: only the tag form comes back)."""
    photo = policy.manageable_photo_or_404(current_user, photo_id)
    allowed = {pupil.id for pupil in policy.taggable_pupils(current_user, photo.album)}
    choice = (chosen_tags([photo.id], allowed) or {}).get(photo.id)
    if not ActionForm().validate_on_submit() or not choice:
        error = _("Nothing was saved: tick the children you recognise in the photo, or "
                  "only “Nobody recognisable”.")
        if wants_fragment():
            return render_page("albums/viewer.html", "partials/albums/photo_tags.html",
                               status=422, **viewer_context(photo, True, tag_error=error))
        return viewer_page(photo, tag_error=error, status=422)
    service.set_tags(photo, current_user, [] if choice == NOBODY else choice)
    if wants_fragment():
        return render_page("albums/viewer.html", "partials/albums/photo_tags.html",
                           saved=True, **viewer_context(photo, True))
    _warn_held_back(photo.album, {photo.id})
    flash(_("Saved who is in this photo."), "success")
    return redirect(url_for(".viewer", photo_id=photo.id))


@bp.post("/albums/photos/<int:photo_id>/caption")
@authz.staff_only
def caption(photo_id):
    """Save a photo's caption (htmx: only the caption form comes back)."""
    photo = policy.manageable_photo_or_404(current_user, photo_id)
    form = CaptionForm()
    if not form.validate_on_submit():
        if wants_fragment():
            return render_page("albums/viewer.html", "partials/albums/caption.html", status=422,
                               **viewer_context(photo, True, caption_form=form))
        return viewer_page(photo, caption_form=form, status=422)
    service.set_caption(photo, form.caption.data.strip())
    photo.caption = form.caption.data.strip()
    if wants_fragment():
        return render_page("albums/viewer.html", "partials/albums/caption.html", saved=True,
                           **viewer_context(photo, True))
    flash(_("The caption has been saved."), "success")
    return redirect(url_for(".viewer", photo_id=photo.id))


@bp.post("/albums/photos/<int:photo_id>/cover")
@authz.staff_only
def set_cover(photo_id):
    """Make this photo the album's cover."""
    photo = _acted_on(policy.manageable_photo_or_404(current_user, photo_id))
    service.set_cover(photo.album, photo)
    flash(_("This photo is now the album's cover."), "success")
    return redirect(url_for(".viewer", photo_id=photo.id))


@bp.post("/albums/photos/<int:photo_id>/delete")
@authz.staff_only
def delete_photo(photo_id):
    """Delete a photo and its files."""
    photo = _acted_on(policy.manageable_photo_or_404(current_user, photo_id, any_state=True))
    service.delete_photo(photo)
    flash(_("The photo has been deleted."), "success")  # back where the button was (a post)
    back = authz.safe_next_url(request.form.get("next", ""))
    return redirect(back or url_for(".album", album_id=photo.album_id))


@bp.post("/albums/<int:album_id>/delete")
@authz.staff_only
def delete_album(album_id):
    """Delete an album with all its photos and files."""
    album = _acted_on(policy.manageable_album_or_404(current_user, album_id))
    service.delete_album(album)
    flash(_("The album has been deleted."), "success")
    return redirect(url_for(".index"))


def _acted_on(found):
    """The album or photo, after checking the button's CSRF token."""
    if not ActionForm().validate_on_submit():
        abort(400)
    return found


def _groups():
    """The groups this user may make albums in."""
    return list(policy.album_groups(current_user))


def _post_from(value):
    """The post an album is for (?post= or the form's field); 404 if not the user's to edit."""
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return feed_policy.editable_post_or_404(current_user, int(value))


def _tag_page(album, error=None, status=200):
    """The tagging page for the album's first photos that nobody checked yet."""
    batch = TAG_BATCH_SCHOOL if album.group_id is None else TAG_BATCH_GROUP
    unchecked = (Photo.select().where((Photo.album == album.id) & Photo.checked_at.is_null()
                                      & (Photo.state == PHOTO_READY))
                 .order_by(Photo.position, Photo.id))
    return render_page("albums/tag.html", status=status, album=album, error=error,
                       photos=list(unchecked.limit(batch)), remaining=unchecked.count(),
                       pupils=list(policy.taggable_pupils(current_user, album)),
                       action_form=ActionForm(formdata=None))


def _warn_held_back(album, photo_ids):
    """Flash a warning for each of these photos that parents will not see, and why."""
    for photo_id, names in service.held_back_names(album).items():
        if photo_id in photo_ids:
            flash(_("Not visible to parents: no consent for %(names)s",
                    names=", ".join(names)), "error")
