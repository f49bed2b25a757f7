"""Photo albums: making them, adding photos, tagging who is in them, and showing them.

Who may see or manage what is asked of authz; this module does the steps. Files are
written before the rows that point at them and deleted only after the rows are gone, so
a failure never leaves a photo without its files (an orphan file is harmless; a row
without files would break the page).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import fn

from . import authz, images, photos
from .database import write_transaction
from .models import Pupil, utcnow
from .models.photos import Album, Photo, PhotoTag

MAX_FILES = 30


class PhotosRejected(ValueError):
    """Some uploads were refused: `problems` is a list of (file name, message)."""

    def __init__(self, problems):
        """Keep the problems, for the form."""
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


@dataclass
class AlbumCard:
    """An album in a list: the album, how many photos this user sees and the cover."""

    album: Album
    count: int
    cover: Photo | None


def create_album(user, title, description="", group=None, post=None):
    """A new, empty album in a group's space (or the school's, without group)."""
    with write_transaction():
        return Album.create(title=title, description=description, created_by=user,
                            group=group, post=post)


def rename_album(album, title, description):
    """Change an album's title and description."""
    with write_transaction():
        Album.update(title=title, description=description).where(
            Album.id == album.id).execute()


def add_photos(album, user, uploads):
    """Turn uploads [(file name, stream)] into photos of the album; all or nothing.

    Raises PhotosRejected naming every refused file; then no row and no file is left.
    """
    if len(uploads) > MAX_FILES:
        raise PhotosRejected([("", _l("Add at most %(max)d photos at a time.", max=MAX_FILES))])
    written, problems, rows = [], [], []
    try:
        for name, stream in uploads:
            try:
                prepared = photos.prepare(stream)
            except images.ImageRejected as rejected:
                problems.append((name, rejected.message))
                continue
            if problems:
                continue  # refused anyway: spare the disk, keep checking the others
            stem = photos.new_stem()
            photos.write(stem, prepared)
            written.extend(f"{stem}-{w}.{e}" for w, e in prepared.files)
            rows.append({"album": album.id, "stem": stem, "uploaded_by": user.id,
                         "widths": ",".join(str(w) for w in prepared.widths),
                         "width": prepared.width, "height": prepared.height})
        if problems:
            raise PhotosRejected(problems)
        with write_transaction():
            start = (Photo.select(fn.MAX(Photo.position)).where(Photo.album == album.id)
                     .scalar() or 0)
            for offset, row in enumerate(rows, start=1):
                row.update(position=start + offset, created_at=utcnow())
            Photo.insert_many(rows).execute()
    except BaseException:
        photos.delete_names(written)
        raise
    stems = [row["stem"] for row in rows]
    return list(Photo.select().where(Photo.stem.in_(stems)).order_by(Photo.position))


def album_cards(user, albums):
    """AlbumCards for these albums: counts and covers of photos this user sees (2 queries)."""
    albums = list(albums)
    if not albums:
        return []
    ids = [album.id for album in albums]
    rows = (authz.visible_photos(user)
            .select(Photo.album, fn.COUNT(Photo.id).alias("count"), fn.MIN(Photo.id).alias("first"))
            .where(Photo.album.in_(ids)).group_by(Photo.album).tuples())
    counts = {album_id: (count, first) for album_id, count, first in rows}
    wanted = {album.cover_photo_id for album in albums if album.cover_photo_id}
    wanted |= {first for _count, first in counts.values()}
    covers = {photo.id: photo for photo in authz.visible_photos(user)
              .where(Photo.id.in_(list(wanted) or [0]))}
    cards = []
    for album in albums:
        count, first = counts.get(album.id, (0, None))
        cover = covers.get(album.cover_photo_id) or covers.get(first)
        cards.append(AlbumCard(album, count, cover))
    return cards


def albums_of_space(user, group=None):
    """AlbumCards of one space (a group, or the school without group), newest first."""
    query = authz.visible_albums(user)
    query = query.where(Album.group.is_null() if group is None else Album.group == group)
    return album_cards(user, query.order_by(Album.created_at.desc(), Album.id.desc()))


def albums_of_post(user, post):
    """AlbumCards of the albums attached to a post."""
    return album_cards(user, authz.visible_albums(user).where(Album.post == post.id)
                       .order_by(Album.id))


def album_photos(user, album):
    """The album's photos this user sees, in order; staff also get held_back and untagged."""
    tagged = PhotoTag.select(PhotoTag.id).where(PhotoTag.photo == Photo.id)
    return list(authz.visible_photos(user)
                .select_extend(authz.photo_held_back().alias("held_back"),
                               fn.EXISTS(tagged).alias("tagged"))
                .where(Photo.album == album.id).order_by(Photo.position, Photo.id))


def is_unchecked(photo):
    """True for a photo nobody tagged and nobody marked as showing no recognisable child."""
    return photo.checked_at is None and not getattr(photo, "tagged", False)


def held_back_names(album):
    """{photo id: [names of tagged children without consent for the album's space]}."""
    names = {}
    for tag in authz.missing_consent(album):
        names.setdefault(tag.photo_id, []).append(tag.pupil.full_name)
    return names


def neighbours(user, photo):
    """(previous, next) photo in the album among those this user sees; None at the ends."""
    visible = authz.visible_photos(user).where(Photo.album == photo.album_id)
    before = (Photo.position < photo.position) | (
        (Photo.position == photo.position) & (Photo.id < photo.id))
    after = (Photo.position > photo.position) | (
        (Photo.position == photo.position) & (Photo.id > photo.id))
    previous = visible.where(before).order_by(Photo.position.desc(), Photo.id.desc()).first()
    following = visible.where(after).order_by(Photo.position, Photo.id).first()
    return previous, following


def tagged_pupils(photo):
    """The pupils tagged in a photo, by name."""
    return list(Pupil.select().join(PhotoTag).where(PhotoTag.photo == photo.id)
                .order_by(Pupil.first_name, Pupil.last_name))


def set_tags(photo, user, pupil_ids):
    """Tag exactly these pupils in the photo and mark it checked by this user."""
    with write_transaction():
        PhotoTag.delete().where(PhotoTag.photo == photo.id).execute()
        if pupil_ids:
            PhotoTag.insert_many([{"photo": photo.id, "pupil": pupil_id}
                                  for pupil_id in sorted(set(pupil_ids))]).execute()
        Photo.update(checked_at=utcnow(), checked_by=user.id).where(
            Photo.id == photo.id).execute()


def set_caption(photo, caption):
    """Give the photo a caption (empty: none)."""
    with write_transaction():
        Photo.update(caption=caption).where(Photo.id == photo.id).execute()


def set_cover(album, photo):
    """Make this photo of the album its cover."""
    with write_transaction():
        Album.update(cover_photo_id=photo.id).where(
            (Album.id == album.id) & fn.EXISTS(Photo.select().where(
                (Photo.id == photo.id) & (Photo.album == album.id)))).execute()


def delete_photo(photo):
    """Delete a photo, its tags and its files."""
    with write_transaction():
        Album.update(cover_photo_id=None).where(Album.cover_photo_id == photo.id).execute()
        photo.delete_instance()
    photos.delete_files(photo)


def delete_album(album):
    """Delete an album with all its photos and their files."""
    doomed = list(Photo.select(Photo.id, Photo.stem, Photo.widths).where(Photo.album == album.id))
    with write_transaction():
        album.delete_instance(recursive=False)  # the database cascades to photos and tags
    for photo in doomed:
        photos.delete_files(photo)
