"""Photo albums: the list, an album's grid, the one-photo viewer and the photo files.

Managing albums (new album, upload, tagging, captions, cover, delete) is in
albums_manage.py. Every file goes out through `image`/`download`, after authz.photo_or_404:
a parent never receives a photo held back for missing consent, nor one of another group.
"""

from flask import abort, request
from flask_login import current_user

from schoolportal import authz
from schoolportal.albums import models, photos, policy, processing, service
from schoolportal.albums.forms import ActionForm, CaptionForm
from schoolportal.core import media
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views.albums import bp

ALBUMS_PER_PAGE = 24
SPACE_ALBUMS = 4  # on a group's page; the rest are on /albums


@bp.get("/albums")
@authz.signed_in
def index():
    """The albums this user may open, newest first, with their covers, a page at a time
    (?page=; htmx asks for the next when its "more" link comes into view)."""
    number = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    query = policy.visible_albums(current_user).order_by(
        models.Album.created_at.desc(), models.Album.id.desc())
    albums = list(query.limit(ALBUMS_PER_PAGE + 1).offset((number - 1) * ALBUMS_PER_PAGE))
    context = {"cards": service.album_cards(current_user, albums[:ALBUMS_PER_PAGE]),
               "next_page": number + 1 if len(albums) > ALBUMS_PER_PAGE else None,
               "page_number": number, "may_create": policy.may_create_album(current_user)}
    fragment = "partials/albums/card_page.html" if number > 1 else None
    return render_page("albums/index.html", fragment, **context)


@bp.get("/albums/<int:album_id>")
@authz.signed_in
def album(album_id):
    """An album's grid of photos, a page at a time (?after=: the next page; htmx asks for it
    when the "more" link comes into view); staff see what is held back, not checked yet, or
    still being processed (?part=processing: that region alone, for htmx polling)."""
    found = policy.album_or_404(current_user, album_id)
    manages = policy.may_manage_album(current_user, found)
    context = {"album": found, "may_manage": manages, "action_form": ActionForm(formdata=None)}
    if manages:
        progress = processing.progress(found)
        context.update(progress=progress, unfinished=processing.unfinished(found)
                       if progress.waiting or progress.failed else [])
    if request.args.get("part") == "processing" and manages and wants_fragment():
        return render_page("albums/album.html", "partials/albums/processing.html",
                           polled=True, **context)
    page = service.album_page(current_user, found, after=request.args.get("after"))
    context.update(grid=page, held_back=service.held_back_names(found) if manages else {})
    if request.args.get("after"):
        return render_page("albums/album.html", "partials/albums/photo_page.html", **context)
    return render_page("albums/album.html", **context)


@bp.get("/albums/photos/<int:photo_id>")
@authz.signed_in
def viewer(photo_id):
    """One photo per page with previous/next links (no JavaScript needed)."""
    photo = policy.photo_or_404(current_user, photo_id)
    return viewer_page(photo)


def viewer_page(photo, caption_form=None, tag_error=None, status=200):
    """The viewer, also re-shown with a refused caption or tags."""
    previous, following = service.neighbours(current_user, photo)
    manages = policy.may_manage_album(current_user, photo.album)
    return render_page("albums/viewer.html", status=status, **viewer_context(
        photo, manages, caption_form, tag_error), previous=previous, following=following)


def viewer_context(photo, manages, caption_form=None, tag_error=None):
    """What the viewer and its staff fragments (caption, tags) need."""
    context = {"photo": photo, "album": photo.album, "may_manage": manages,
               "action_form": ActionForm(formdata=None)}
    if manages:
        context.update(
            caption_form=caption_form or CaptionForm(formdata=None, obj=photo),
            tagged=service.tagged_pupils(photo), tag_error=tag_error,
            pupils=list(policy.taggable_pupils(current_user, photo.album)),
            held_back=service.held_back_names(photo.album).get(photo.id, []))
    return context


@bp.get("/albums/photos/<int:photo_id>/<int:width>.<ext>")
@authz.signed_in
def image(photo_id, width, ext):
    """One size of a photo, as WebP or JPEG, for those who may see the photo."""
    photo = policy.photo_or_404(current_user, photo_id)
    if width not in photo.width_list or ext not in photos.EXTENSIONS:
        abort(404)
    return photos.send(photo, width, ext)


@bp.get("/albums/photos/<int:photo_id>/download")
@authz.signed_in
def download(photo_id):
    """The largest JPEG of a photo, to keep, for those who may see the photo."""
    photo = policy.photo_or_404(current_user, photo_id)
    name = media.clean_download_name(f"{photo.album.title} {photo.id}", "jpg")
    return photos.send(photo, photo.width_list[-1], "jpg", download_name=name)


@bp.app_template_global()
def albums_of_group(group):
    """The newest AlbumCards of a group's space, for the group page (two queries)."""
    return service.albums_of_space(current_user, group, limit=SPACE_ALBUMS)


@bp.app_template_global()
def albums_of_post(post):
    """AlbumCards of a post's albums, for the post page (two queries)."""
    return service.albums_of_post(current_user, post)


