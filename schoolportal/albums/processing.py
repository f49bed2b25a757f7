"""Photos off the request: an upload is checked at once and kept as it came; the worker
makes the variants.

At upload (`store_waiting`) every file has passed photos.check (type by content, declared
pixel count, size; a refused file refuses the whole upload before anything is written).
Each is written under UPLOAD_AREA and gets a `waiting` Photo row. Every worker round
(`process_waiting`, a ROUND_JOB) claims waiting photos with a conditional update, so two
workers never take the same one, decodes and encodes them (photos.prepare), writes the
variants, marks the row `ready` and deletes the upload. A file that does not decode after
all becomes `failed` (staff see it and can delete it); a crash leaves it waiting, and the
claim runs out so a later round tries again. The upload, with its EXIF and GPS, lives only
until then, in a folder nothing is served from.
"""

import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from peewee import fn

from schoolportal.albums import photos
from schoolportal.albums.models import (
    PHOTO_FAILED,
    PHOTO_READY,
    PHOTO_WAITING,
    UPLOAD_AREA,
    Photo,
)
from schoolportal.core import images, media
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow

CLAIM_FOR = timedelta(minutes=5)
ROUND_LIMIT = 40  # photos per worker round: a few seconds, then the mail goes out

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """How far the processing of an album's uploads is."""

    waiting: int = 0
    failed: int = 0
    ready: int = 0
    batch_total: int = 0  # the photos uploaded with or after the oldest one still waiting
    batch_done: int = 0  # of those, the ones the worker has done

    @property
    def pending(self):
        """True while the worker still has photos of this album to do."""
        return self.waiting > 0

    @property
    def total(self):
        """Every photo of the album, in any state."""
        return self.waiting + self.failed + self.ready


def store_waiting(album, user, checked):
    """Write checked uploads as they came and add them to the album as waiting photos.

    Files first, then the rows in one transaction; on failure the files go again.
    Returns the new Photo rows, in order.
    """
    written, rows = [], []
    try:
        for upload in checked:
            stem = photos.new_stem()
            width, height = photos.final_size(upload.width, upload.height)
            media.write(UPLOAD_AREA, f"{stem}.upl", upload.data)
            written.append(f"{stem}.upl")
            rows.append({"album": album.id, "stem": stem, "uploaded_by": user.id, "widths": "",
                         "width": width, "height": height, "state": PHOTO_WAITING})
        with write_transaction():
            start = (Photo.select(fn.MAX(Photo.position)).where(Photo.album == album.id)
                     .scalar() or 0)
            now = utcnow()  # one moment for the whole upload: progress() counts by it
            for offset, row in enumerate(rows, start=1):
                row.update(position=start + offset, created_at=now)
            if rows:
                Photo.insert_many(rows).execute()
    except BaseException:
        for name in written:
            media.delete(UPLOAD_AREA, name)
        raise
    stems = [row["stem"] for row in rows]
    return list(Photo.select().where(Photo.stem.in_(stems or [""])).order_by(Photo.position))


def process_waiting(limit=ROUND_LIMIT):
    """Process up to `limit` waiting photos (oldest first); returns how many were done."""
    now = utcnow()
    candidates = list(Photo.select(Photo.id).where(
        (Photo.state == PHOTO_WAITING)
        & (Photo.claimed_until.is_null() | (Photo.claimed_until < now))
    ).order_by(Photo.id).limit(limit))
    done = 0
    for candidate in candidates:
        photo = _claim(candidate.id, now)
        if photo is not None:
            process(photo)
            done += 1
    return done


def process_now(photos_to_do):
    """Process these waiting photos at once, in this process (posts' photos, the demo)."""
    now = utcnow()
    for photo in photos_to_do:
        claimed = _claim(photo.id, now)
        if claimed is not None:
            process(claimed)


def _claim(photo_id, now):
    """Take a waiting photo for this worker; None when another worker has it."""
    with write_transaction():
        taken = Photo.update(claimed_until=now + CLAIM_FOR).where(
            (Photo.id == photo_id) & (Photo.state == PHOTO_WAITING)
            & (Photo.claimed_until.is_null() | (Photo.claimed_until < now))).execute()
    return Photo.get_or_none(Photo.id == photo_id) if taken == 1 else None


def process(photo):
    """Make the variants of one claimed photo; it ends ready, failed, or (crash) waiting."""
    try:
        data = media.path_of(UPLOAD_AREA, photo.upload_name).read_bytes()
    except FileNotFoundError:
        _finish(photo, PHOTO_FAILED)
        return
    try:
        prepared = photos.prepare(io.BytesIO(data))
    except images.ImageRejected as rejected:
        log.info("Photo %s could not be processed: %s", photo.id, rejected)
        _finish(photo, PHOTO_FAILED)
        return
    del data
    photos.write(photo.stem, prepared)
    names = [f"{photo.stem}-{w}.{e}" for w, e in prepared.files]
    if not _finish(photo, PHOTO_READY, prepared):
        photos.delete_names(names)  # deleted while we worked: leave nothing behind


def _finish(photo, state, prepared=None):
    """Record the outcome and delete the upload; False when the photo was deleted meanwhile."""
    changes = {Photo.state: state, Photo.claimed_until: None}
    if prepared is not None:
        changes.update({Photo.widths: ",".join(str(w) for w in prepared.widths),
                        Photo.width: prepared.width, Photo.height: prepared.height})
    with write_transaction():
        updated = Photo.update(changes).where(
            (Photo.id == photo.id) & (Photo.state == PHOTO_WAITING)).execute()
    media.delete(UPLOAD_AREA, photo.upload_name)
    return updated == 1


def progress(album):
    """The album's photos by state, and how far the current upload is (two queries)."""
    counts = dict(Photo.select(Photo.state, fn.COUNT(Photo.id)).where(Photo.album == album.id)
                  .group_by(Photo.state).tuples())
    found = Progress(waiting=counts.get(PHOTO_WAITING, 0), failed=counts.get(PHOTO_FAILED, 0),
                     ready=counts.get(PHOTO_READY, 0))
    if found.waiting:
        oldest = (Photo.select(fn.MIN(Photo.created_at))
                  .where((Photo.album == album.id) & (Photo.state == PHOTO_WAITING)))
        found.batch_total = Photo.select().where(
            (Photo.album == album.id) & (Photo.created_at >= oldest)).count()
        found.batch_done = found.batch_total - found.waiting
    return found


def unfinished(album):
    """The album's photos that are waiting or failed, in order (for staff)."""
    return list(Photo.select().where((Photo.album == album.id) & (Photo.state != PHOTO_READY))
                .order_by(Photo.position, Photo.id))
