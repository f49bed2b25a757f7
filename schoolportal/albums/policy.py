"""Who may see and change photo albums and photos.

A parent sees a photo only when every child tagged in it has consent for the album's space
('group' for a group album, 'school' for a school-wide album). This is worked out in the
query at every page load, so a withdrawn consent hides the photo at once. Staff who may see
the album see held-back photos too, marked (see `photo_held_back`).
"""

from flask import abort
from peewee import SQL, Case, fn

from schoolportal.albums.models import Album, Photo
from schoolportal.authz import (
    found_or_404,
    is_archived,
    may_manage_group,
    nothing,
    real_id_or_404,
    visible_group_ids,
    visible_groups,
)
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Group, Pupil


def photo_held_back():
    """SQL condition, true for a photo showing a child without consent for its album's space.

    Use in a query that selects Photo joined to Album.
    """
    from schoolportal.albums.models import Album, Photo, PhotoTag
    from schoolportal.consent.models import Consent, ConsentCategory

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
    from schoolportal.albums.models import Album

    if user.role not in (ROLE_ADMIN, ROLE_STAFF, ROLE_PARENT):
        return nothing(Album.select())
    return albums_of_groups(opened_album_groups(user))


def album_or_404(user, album_id):
    """An album this user may open; 404 otherwise, also for guessed ids."""
    from schoolportal.albums.models import Album

    return found_or_404(visible_albums(user).where(Album.id == real_id_or_404(album_id)).first())


def opened_album_groups(user):
    """The groups whose albums this user opens besides the school-wide ones: None for admins
    (every album), else their visible groups' ids, last years' too (a list, or for staff a
    subquery). Prepared queries take the list as an argument."""
    return None if user.role == ROLE_ADMIN else visible_group_ids(user, archived=True)


def hides_held_back(user):
    """Whether this user's photos leave out the held-back ones (parents); staff and admins
    see them, marked."""
    return user.role == ROLE_PARENT


def albums_of_groups(group_ids):
    """Albums school-wide or of these groups (None: every album): `visible_albums` of a user
    whose `opened_album_groups` they are."""
    from schoolportal.albums.models import Album

    query = Album.select()
    if group_ids is None:
        return query
    return query.where(Album.group.is_null() | Album.group.in_(group_ids))


def visible_photos(user):
    """Photos (joined to their album) this user may see: parents never see held-back ones.

    Only processed (ready) photos: one that waits for the worker has no image yet.
    """
    from schoolportal.albums.models import PHOTO_READY, Photo

    return _album_photos(user).where(Photo.state == PHOTO_READY)


def photos_of_groups(group_ids, held_back_hidden):
    """Ready photos (joined to their album) in albums of `albums_of_groups(group_ids)`,
    without the held-back ones when `held_back_hidden`: `visible_photos` of a user whose
    `opened_album_groups` and `hides_held_back` these are."""
    from schoolportal.albums.models import PHOTO_READY, Photo

    return _photos_in(albums_of_groups(group_ids), held_back_hidden).where(
        Photo.state == PHOTO_READY)


def _album_photos(user):
    """Photos in any state of the albums this user may open (parents: not held back)."""
    return _photos_in(visible_albums(user), hides_held_back(user))


def _photos_in(albums, held_back_hidden):
    from schoolportal.albums.models import Album, Photo

    query = Photo.select(Photo, Album).join(Album).where(Photo.album.in_(albums.select(Album.id)))
    if held_back_hidden:
        query = query.where(~photo_held_back())
    return query


def photo_or_404(user, photo_id):
    """A photo this user may see (and download); 404 otherwise."""
    from schoolportal.albums.models import Photo

    return found_or_404(visible_photos(user).where(Photo.id == real_id_or_404(photo_id)).first())


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


def manageable_photo_or_404(user, photo_id, any_state=False):
    """A photo (with its album) of an album this user may manage; 404 otherwise.

    Only a processed one, unless `any_state` (deleting one that waits or failed).
    """
    from schoolportal.albums.models import Photo

    query = _album_photos(user) if any_state else visible_photos(user)
    photo = found_or_404(query.where(Photo.id == real_id_or_404(photo_id)).first())
    if not may_manage_album(user, photo.album):
        abort(404)
    return photo


def may_create_album(user):
    """Staff and admins make albums (school-wide, or in groups they manage)."""
    return user.role in (ROLE_ADMIN, ROLE_STAFF)


def album_groups(user):
    """The groups this user may make an album in: admins any, staff their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.select())
    return visible_groups(user)


def taggable_pupils(user, album):
    """The pupils who can be tagged in an album's photos: its group, or the whole school."""
    query = (Pupil.select(Pupil, Group).join(Group).where(Pupil.at_school())
             .order_by(Group.sort_order, Group.name, Pupil.first_name, Pupil.last_name))
    if not may_manage_album(user, album):
        return nothing(query)
    return query if album.group_id is None else query.where(Pupil.group == album.group_id)


def missing_consent(album):
    """The tags (with pupil) in this album whose child lacks consent for its space.

    The same rule as `photo_held_back`, per child: for telling staff who holds a photo back.
    """
    from schoolportal.albums.models import Photo, PhotoTag
    from schoolportal.consent.models import Consent, ConsentCategory

    consented = (Consent.select(SQL("1")).join(ConsentCategory)
                 .where((Consent.pupil == PhotoTag.pupil) & (Consent.granted == True)  # noqa: E712
                        & (ConsentCategory.active == True)  # noqa: E712
                        & (ConsentCategory.space == album.consent_space)))
    return (PhotoTag.select(PhotoTag, Pupil).join(Pupil).switch(PhotoTag).join(Photo)
            .where((Photo.album == album.id) & ~fn.EXISTS(consented))
            .order_by(Pupil.first_name, Pupil.last_name))


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "album": (Album, album_or_404),
    "photo": (Photo, photo_or_404),
}
