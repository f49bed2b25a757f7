"""Photo albums: making them, adding photos, tagging who is in them, and showing them.

Who may see or manage what is asked of authz; this module does the steps. Files are
written before the rows that point at them and deleted only after the rows are gone, so
a failure never leaves a photo without its files (an orphan file is harmless; a row
without files would break the page).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import Case, SelectQuery, fn

from schoolportal.albums import photos, policy, processing
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.core import images
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Pupil, utcnow
from schoolportal.core.together import Rows, read_together

MAX_FILES = 30
PAGE_SIZE = 30  # photos per page of an album's grid (125 photos were 87 KB of HTML)


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
    """Check uploads [(file name, stream)] and add them to the album, waiting for the worker.

    All or nothing: raises PhotosRejected naming every refused file; then no row and no file
    is left. The worker makes the variants (albums.processing); returns the new photos.
    """
    return store_photos(album, user, prepare_uploads(uploads))


@dataclass
class Upload:
    """An upload that passed the quick check: its stream (read again when stored), its size."""

    stream: object
    width: int
    height: int

    @property
    def data(self):
        """The bytes as they came."""
        self.stream.seek(0)
        return self.stream.read()


def prepare_uploads(uploads):
    """Check every upload [(file name, stream)] at once; PhotosRejected names the refused.

    Only what can be known in a few milliseconds is checked here (type by content, declared
    pixel count, size; see images.check_upload): decoding and resizing is the worker's.
    """
    if len(uploads) > MAX_FILES:
        raise PhotosRejected([("", _l("Add at most %(max)d photos at a time.", max=MAX_FILES))])
    checked, problems = [], []
    for name, stream in uploads:
        try:
            found = photos.check(stream)
        except images.ImageRejected as rejected:
            problems.append((name, rejected.message))
            continue
        checked.append(Upload(stream, found.width, found.height))  # the bytes stay in it
    if problems:
        raise PhotosRejected(problems)
    return checked


def store_photos(album, user, checked):
    """Keep checked uploads as waiting photos of the album (files first, then rows)."""
    return processing.store_waiting(album, user, checked)


def album_cards(user, albums):
    """AlbumCards for these albums: counts and covers of photos this user sees.

    Of each album's visible photos, the cover (when this user may see it) and the first one,
    each with the album's count (window functions): read with a query of albums in one
    statement, and in one besides a list of albums.
    """
    if isinstance(albums, SelectQuery):  # the albums and their photos in one statement
        albums, rows = read_together([Rows(albums),
                                      Rows(_cover_rows(user, albums.select(Album.id)))])
    else:
        albums = list(albums)
        rows = _cover_rows(user, [album.id for album in albums]) if albums else []
    counts, firsts, covers = {}, {}, {}
    for photo in rows:
        counts[photo.album_id] = photo.count
        if photo.rn == 1:
            firsts[photo.album_id] = photo
        covers[photo.id] = photo
    return [AlbumCard(album, counts.get(album.id, 0),
                      covers.get(album.cover_photo_id) or firsts.get(album.id))
            for album in albums]


def _cover_rows(user, album_ids):
    """The cover and first visible photo of each album (ids or a subquery), with `count`
    (the album's visible photos) and `rn` (1 for the first)."""
    ranked = (policy.visible_photos(user)
              .select(Photo.id,
                      fn.COUNT(Photo.id).over(partition_by=[Photo.album]).alias("count"),
                      fn.ROW_NUMBER().over(partition_by=[Photo.album], order_by=[Photo.id])
                      .alias("rn"))
              .where(Photo.album.in_(album_ids))).alias("ranked")
    return (Photo.select(Photo, ranked.c.count.alias("count"), ranked.c.rn.alias("rn"))
            .join(ranked, on=(Photo.id == ranked.c.id))
            .switch(Photo).join(Album, on=(Photo.album == Album.id))
            .where((ranked.c.rn == 1) | (Photo.id == Album.cover_photo_id))
            .objects())


def albums_of_space(user, group=None, limit=None):
    """AlbumCards of one space (a group, or the school without group), newest first."""
    query = policy.visible_albums(user)
    query = query.where(Album.group.is_null() if group is None else Album.group == group)
    query = query.order_by(Album.created_at.desc(), Album.id.desc())
    return album_cards(user, query.limit(limit) if limit else query)


def albums_of_post(user, post):
    """AlbumCards of the albums attached to a post."""
    return album_cards(user, policy.visible_albums(user).where(Album.post == post.id)
                       .order_by(Album.id))


def album_photos(user, album):
    """The album's photos this user sees, in order; staff also get held_back and untagged."""
    return list(_album_photo_query(user, album))


def _album_photo_query(user, album):
    """The query behind album_photos and album_page."""
    return (policy.visible_photos(user)
            .select_extend(policy.photo_held_back().alias("held_back"),
                           fn.EXISTS(_tags_of_photo()).alias("tagged"))
            .where(Photo.album == album.id).order_by(Photo.position, Photo.id))


def _tags_of_photo():
    """A subquery: the tags of the photo in the outer query."""
    return PhotoTag.select(PhotoTag.id).where(PhotoTag.photo == Photo.id)


@dataclass
class PhotoPage:
    """One page of an album's grid: its photos, the cursor of the next page, and counts."""

    photos: list
    after: str | None  # the cursor of the next page ("<position>-<id>"); None: the last
    total: int
    unchecked: int


def album_page(user, album, after=None, size=PAGE_SIZE):
    """The photos after the cursor (a "<position>-<id>" string; none: the first page).

    Counts: the photos this user sees in all, and (for staff) those nobody checked yet.
    """
    query = _album_photo_query(user, album)
    cursor = _cursor(after)
    if cursor:
        position, photo_id = cursor
        query = query.where((Photo.position > position) | (
            (Photo.position == position) & (Photo.id > photo_id)))
    rows = list(query.limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    counted = (policy.visible_photos(user).where(Photo.album == album.id)
               .select(fn.COUNT(Photo.id), fn.SUM(Case(None, [(
                   Photo.checked_at.is_null() & ~fn.EXISTS(_tags_of_photo()), 1)], 0)))
               .tuples().first())
    total, unchecked = counted or (0, 0)
    return PhotoPage(rows, f"{rows[-1].position}-{rows[-1].id}" if more else None,
                     total or 0, int(unchecked or 0))


def _cursor(after):
    """(position, id) from a cursor string; None when there is none or it is not one."""
    try:
        position, photo_id = (int(part) for part in (after or "").split("-", 1))
    except ValueError:
        return None
    return position, photo_id


def is_unchecked(photo):
    """True for a photo nobody tagged and nobody marked as showing no recognisable child."""
    return photo.checked_at is None and not getattr(photo, "tagged", False)


def held_back_names(album):
    """{photo id: [names of tagged children without consent for the album's space]}."""
    names = {}
    for tag in policy.missing_consent(album):
        names.setdefault(tag.photo_id, []).append(tag.pupil.full_name)
    return names


def neighbours(user, photo):
    """(previous, next) photo in the album among those this user sees; None at the ends."""
    visible = policy.visible_photos(user).where(Photo.album == photo.album_id)
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
