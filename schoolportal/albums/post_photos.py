"""Photos with a post: uploaded in the post editor, shown in the feed, held back like albums.

A post's photos live in an album attached to the post (Album.post), in the post's space, so
they go through the same pipeline (variants, srcset, no metadata) and the same consent rule:
a parent never receives a photo that shows a child without consent for that space.
"""

from dataclasses import dataclass, field

from peewee import JOIN, SQL, fn

from schoolportal.albums import policy, processing, service
from schoolportal.albums.models import PHOTO_READY, Album, Photo, PhotoTag
from schoolportal.core.prepared import prepared

SHOWN = 4  # thumbnails in the feed; the fourth says how many more there are


@dataclass
class PostPhotos:
    """The photos of one post this user sees: the first few, and how many in all."""

    photos: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self):
        """How many are not shown as a thumbnail."""
        return self.total - len(self.photos)


def attach(post, user, prepared):
    """Add checked uploads (service.prepare_uploads) to the post's album (made on the first
    photo) as waiting photos; returns them.

    As with an album upload, the request only checks and stores: the worker makes the
    variants, and the post editor shows how far it is (processing_of) until the photos can
    be tagged. A parent sees a post's photo once it is ready (policy.visible_photos).
    """
    if not prepared:
        return []
    album = album_of(post)
    if album is None:
        album = service.create_album(user, post.title[:200], group=post.group_id, post=post)
    return service.store_photos(album, user, prepared)


def album_of(post):
    """The album holding a post's photos, or None before its first photo."""
    return Album.select().where(Album.post == post.id).order_by(Album.id).first()


def processing_of(post):
    """(album, Progress, unfinished photos) of a post's photos, or None without an album."""
    album = album_of(post)
    if album is None:
        return None
    progress = processing.progress(album)
    unfinished = processing.unfinished(album) if progress.waiting or progress.failed else []
    return album, progress, unfinished


def first_photos_query(user, post_ids, shown=SHOWN):
    """The first `shown` photos of each post this user may see, in one query (a feed page
    reads it with its other lists; photos_from makes {post id: PostPhotos} of the rows)."""
    groups = policy.opened_album_groups(user)
    if (isinstance(groups, list) and isinstance(post_ids, list | tuple | set)
            and policy.hides_held_back(user)):  # a parent's: its text built once
        return _first_photos_seen_by_parent(groups, list(post_ids), shown)
    return _first_photos(user, post_ids, shown).objects()  # every column on the Photo


@prepared
def _first_photos_seen_by_parent(group_ids, post_ids, shown):
    return _first_photos_of(group_ids, True, post_ids, shown).objects()


def photos_from(rows):
    """{post id: PostPhotos} from the rows of first_photos_query."""
    found = {}
    for photo in rows:
        entry = found.setdefault(photo.post_id, PostPhotos(total=photo.total))
        entry.photos.append(photo)
    return found


def _first_photos(user, post_ids, shown):
    """The query behind first_photos_query: Photo's columns, post_id, rn, total (and, for staff,
    held_back) of the first `shown` photos of each post; post_ids a list or a subquery."""
    ids = list(post_ids) if isinstance(post_ids, (list, tuple, set)) else post_ids
    return _first_photos_of(policy.opened_album_groups(user), policy.hides_held_back(user),
                            ids, shown)


def _first_photos_of(group_ids, held_back_hidden, post_ids, shown):
    """`_first_photos` of a user whose albums policy gives these groups and held-back rule
    (policy.photos_of_groups)."""
    order = [Album.id, Photo.position, Photo.id]
    ranked = (policy.photos_of_groups(group_ids, held_back_hidden)
              .select(Photo.id,
                      fn.ROW_NUMBER().over(partition_by=[Album.post], order_by=order).alias("rn"),
                      fn.COUNT(Photo.id).over(partition_by=[Album.post]).alias("total"))
              .where(Album.post.in_(post_ids))).alias("ranked")
    columns = [Photo, Album.post.alias("post_id"), ranked.c.rn.alias("rn"),
               ranked.c.total.alias("total")]
    if not held_back_hidden:  # staff see every photo; they are told which parents do not see
        columns.append(policy.photo_held_back().alias("held_back"))
    return (Photo.select(*columns).join(Album).switch(Photo)
            .join(ranked, on=(Photo.id == ranked.c.id)).where(ranked.c.rn <= shown)
            .order_by(Album.post, ranked.c.rn))


def first_photo_query(user, posts):
    """A query of posts (its columns, order and limit kept), each with the columns of its first
    photo this user may see and how many they see (the home page reads it with its other
    cards; first_photo_pairs makes the (post, PostPhotos or None) pairs)."""
    return first_photo_query_of(policy.opened_album_groups(user), policy.hides_held_back(user),
                                posts)


def first_photo_query_of(group_ids, held_back_hidden, posts):
    """`first_photo_query` of a user whose albums policy gives these groups and held-back
    rule (a prepared query's builder passes them as arguments)."""
    photo_fields = Photo._meta.sorted_fields
    first = (_first_photos_of(group_ids, held_back_hidden, posts.select(posts.model.id), 1)
             .select(*[f.alias(f"photo_{f.name}") for f in photo_fields],
                     Album.post.alias("post_id"), SQL('"ranked"."total"').alias("total"))
             .order_by()).alias("first_photo")
    return (posts.select_extend(*[first.c[f"photo_{f.name}"] for f in photo_fields],
                                first.c.total)
            .join(first, JOIN.LEFT_OUTER, on=(first.c.post_id == posts.model.id))
            .objects())


def first_photo_pairs(rows):
    """(post, PostPhotos or None) for each row of `first_photo_query`."""
    photo_fields = Photo._meta.sorted_fields
    result = []
    for post in rows:
        pictures = None
        if post.photo_id is not None:
            photo = Photo(**{f.name: f.python_value(getattr(post, f"photo_{f.name}"))
                             for f in photo_fields})
            pictures = PostPhotos(photos=[photo], total=post.total)
        result.append((post, pictures))
    return result


def editor_photos(post):
    """The post's photos with who is tagged, for tagging them in the post editor."""
    photos = list(Photo.select(Photo, Album).join(Album)
                  .where((Album.post == post.id) & (Photo.state == PHOTO_READY))
                  .order_by(Album.id, Photo.position, Photo.id))
    tags = {}
    for tag in PhotoTag.select().where(PhotoTag.photo.in_([p.id for p in photos] or [0])):
        tags.setdefault(tag.photo_id, set()).add(tag.pupil_id)
    for photo in photos:
        photo.tagged_ids = tags.get(photo.id, set())
    return photos
