"""Photo albums: the list, an album's grid, the one-photo viewer and the photo files.

Managing albums (new album, upload, tagging, captions, cover, delete) is in
albums_manage.py. Every file goes out through `image`/`download`, after authz.photo_or_404:
a parent never receives a photo held back for missing consent, nor one of another group.
"""

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import albums, albums_demo, authz, hooks, media, photos
from ..forms.albums import ActionForm, CaptionForm
from ..rendering import render_page

bp = Blueprint("albums", __name__)


@bp.get("/albums")
@authz.signed_in
def index():
    """Every album this user may open, newest first, with its cover."""
    query = authz.visible_albums(current_user).order_by(
        albums.Album.created_at.desc(), albums.Album.id.desc())
    return render_page("albums/index.html", cards=albums.album_cards(current_user, query),
                       may_create=authz.may_create_album(current_user))


@bp.get("/albums/<int:album_id>")
@authz.signed_in
def album(album_id):
    """An album's grid of photos; staff see what is held back or not checked yet."""
    found = authz.album_or_404(current_user, album_id)
    manages = authz.may_manage_album(current_user, found)
    return render_page(
        "albums/album.html", album=found, photos=albums.album_photos(current_user, found),
        may_manage=manages, held_back=albums.held_back_names(found) if manages else {},
        action_form=ActionForm(formdata=None))


@bp.get("/albums/photos/<int:photo_id>")
@authz.signed_in
def viewer(photo_id):
    """One photo per page with previous/next links (no JavaScript needed)."""
    photo = authz.photo_or_404(current_user, photo_id)
    return viewer_page(photo)


def viewer_page(photo, caption_form=None, tag_error=None, status=200):
    """The viewer, also re-shown with a refused caption or tags."""
    previous, following = albums.neighbours(current_user, photo)
    manages = authz.may_manage_album(current_user, photo.album)
    return render_page("albums/viewer.html", status=status, **viewer_context(
        photo, manages, caption_form, tag_error), previous=previous, following=following)


def viewer_context(photo, manages, caption_form=None, tag_error=None):
    """What the viewer and its staff fragments (caption, tags) need."""
    context = {"photo": photo, "album": photo.album, "may_manage": manages,
               "action_form": ActionForm(formdata=None)}
    if manages:
        context.update(
            caption_form=caption_form or CaptionForm(formdata=None, obj=photo),
            tagged=albums.tagged_pupils(photo), tag_error=tag_error,
            pupils=list(authz.taggable_pupils(current_user, photo.album)),
            held_back=albums.held_back_names(photo.album).get(photo.id, []))
    return context


@bp.get("/albums/photos/<int:photo_id>/<int:width>.<ext>")
@authz.signed_in
def image(photo_id, width, ext):
    """One size of a photo, as WebP or JPEG, for those who may see the photo."""
    photo = authz.photo_or_404(current_user, photo_id)
    if width not in photo.width_list or ext not in photos.EXTENSIONS:
        abort(404)
    return photos.send(photo, width, ext)


@bp.get("/albums/photos/<int:photo_id>/download")
@authz.signed_in
def download(photo_id):
    """The largest JPEG of a photo, to keep, for those who may see the photo."""
    photo = authz.photo_or_404(current_user, photo_id)
    name = media.clean_download_name(f"{photo.album.title} {photo.id}", "jpg")
    return photos.send(photo, photo.width_list[-1], "jpg", download_name=name)


@bp.app_template_global()
def albums_of_group(group):
    """AlbumCards of a group's space, for the group page (two queries)."""
    return albums.albums_of_space(current_user, group)


@bp.app_template_global()
def albums_of_post(post):
    """AlbumCards of a post's albums, for the post page (two queries)."""
    return albums.albums_of_post(current_user, post)


hooks.nav_item("albums.index", _l("Photo albums"), order=25)
hooks.demo_example(albums_demo.seed_albums)

from . import albums_manage  # noqa: E402, F401 (its routes join this blueprint)
