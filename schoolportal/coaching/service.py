"""Coaching and research footage: accept it, keep it in a closed circle, destroy it on time.

Uploads are judged by their content, never by their name: photos (JPEG, PNG, WebP) go
through media.store and so are re-encoded without any metadata; videos are kept as sent
when they are MP4/MOV (an ISO 'ftyp' box with a video brand) or WebM (EBML with DocType
'webm'). Everything else is refused and nothing is stored.

Destroying (on the date by the purge, or earlier by hand) runs one write transaction per
item that removes the row and writes a DestructionRecord; the file is overwritten and
unlinked (media.destroy) only after that commit. So a crash can never leave a row that
points to a destroyed file. A crash between the commit and the file's destruction leaves
a file without a row: nobody can reach it (every route needs the row), and the next purge
destroys such orphans (`destroy_orphans`) once they are older than ORPHAN_GRACE, which
also catches an upload that crashed before its row was written.
"""

import io
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from schoolportal.coaching.models import COACHING_AREA, CoachingMedia, DestructionRecord
from schoolportal.core import media, retention
from schoolportal.core.database import write_transaction
from schoolportal.core.models import User

DEFAULT_MAX_MB = 60
ORPHAN_GRACE = timedelta(hours=1)  # an upload in progress has its file before its row
PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
              b"avc1", b"M4V ", b"mmp4", b"MSNV", b"dash"}
ISO_BOXES = {b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"moof",
             b"styp", b"sidx", b"meta"}
WEBM_DOCTYPE = b"\x42\x82\x84webm"
# media.NAME_PATTERN allows letters only in a stored file's extension, so both ISO video
# kinds are kept as .mov on disk (MP4 is QuickTime's file format); the type sent back and
# the download name come from the row.
VIDEO_KINDS = {"mp4": ("mp4", "video/mp4"), "mov": ("mov", "video/quicktime"),
               "webm": ("webm", "video/webm")}
REFUSED = _l("This kind of file is not accepted here. Send a photo (JPEG, PNG, WebP) or a "
             "video (MP4, MOV, WebM).")


def max_bytes():
    """The largest upload accepted (the setting COACHING_MAX_MB, in megabytes)."""
    return int(current_app.config.get("COACHING_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def latest_destroy_on(today):
    """The furthest destruction date allowed (the setting COACHING_MAX_DAYS)."""
    return today + timedelta(days=int(current_app.config.get("COACHING_MAX_DAYS", 365)))


def destroy_on_problem(day, today):
    """Why this destruction date is not allowed (a message), or None when it is."""
    if day < today:
        return _l("Choose today or a day in the future.")
    if day > latest_destroy_on(today):
        return _l("Choose a day at most %(days)d days from today.",
                  days=(latest_destroy_on(today) - today).days)
    return None


def video_kind(data):
    """'mp4', 'mov' or 'webm' when the bytes are such a video; None otherwise."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if WEBM_DOCTYPE in data[:64] else None
    if data[4:8] != b"ftyp":
        return None
    size = int.from_bytes(data[:4], "big")
    if not 16 <= size <= min(len(data) - 8, 4096) or data[size + 4:size + 8] not in ISO_BOXES:
        return None  # a real file goes on with its next box (moov, mdat, free, ...)
    major = data[8:12]
    if major == b"qt  ":
        return "mov"
    return "mp4" if major in MP4_BRANDS else None


def store_upload(stream, filename):
    """Check and store an upload; returns a media.StoredFile or raises media.MediaRejected."""
    data = stream.read(max_bytes() + 1)
    if not data:
        raise media.MediaRejected(_l("The file is empty. Choose a photo or a video."))
    if len(data) > max_bytes():
        raise media.MediaRejected(_l("This file is larger than %(mb)d MB. Send a shorter "
                                     "video or a smaller file.", mb=max_bytes() // 2**20))
    if data.startswith(PHOTO_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        stored = media.store(COACHING_AREA, io.BytesIO(data), filename)
        if not stored.mimetype.startswith("image/"):  # media.store decided otherwise
            media.destroy(COACHING_AREA, stored.name)
            raise media.MediaRejected(REFUSED)
        return stored
    kind = video_kind(data)
    if kind is None:
        raise media.MediaRejected(REFUSED)
    extension, mimetype = VIDEO_KINDS[kind]
    stored = media.store_bytes(COACHING_AREA, data, extension, mimetype, filename)
    return media.StoredFile(stored.name, mimetype, stored.size,
                            media.clean_download_name(filename, kind))


def add(user, stored, title, purpose, group, destroy_on):
    """Record stored footage; on any failure the file is destroyed again."""
    try:
        with write_transaction():
            return CoachingMedia.create(
                title=title, purpose=purpose, group=group, file_name=stored.name,
                mimetype=stored.mimetype, size=stored.size, download_name=stored.download_name,
                destroy_on=destroy_on, scheduled_by=user)
    except BaseException:
        media.destroy(COACHING_AREA, stored.name)
        raise


def destroy_early(item, user):
    """Destroy footage now, by hand; returns its DestructionRecord (None if already gone)."""
    return _destroy(item, "early", user)


def due(today):
    """Footage whose destruction date has come, with who scheduled it (one query)."""
    return (CoachingMedia.select(CoachingMedia, User)
            .join(User, on=CoachingMedia.scheduled_by, join_type=JOIN.LEFT_OUTER)
            .where(CoachingMedia.destroy_on <= today).order_by(CoachingMedia.id))


def purge(today):
    """Destroy every item that is due, then any orphaned file; returns how many items went."""
    records = [_destroy(item, "due") for item in due(today)]
    destroy_orphans()
    return sum(1 for record in records if record is not None)


def destroy_orphans(now=None):
    """Destroy files in the coaching folder that no row points to (after a crash)."""
    folder = Path(current_app.config["MEDIA_ROOT"]) / COACHING_AREA
    if not folder.is_dir():
        return 0
    limit = (now or time.time()) - ORPHAN_GRACE.total_seconds()
    names = [p.name for p in folder.iterdir()
             if p.is_file() and media.NAME_PATTERN.fullmatch(p.name) and p.stat().st_mtime < limit]
    known = {row.file_name for row in CoachingMedia.select(CoachingMedia.file_name)
             .where(CoachingMedia.file_name.in_(names))} if names else set()
    return sum(media.destroy(COACHING_AREA, name) for name in names if name not in known)


def _destroy(item, reason, by=None):
    """Remove the row and write the record in one transaction, then destroy the file.

    The delete is conditional on the row still being there, so when the purge and a
    person destroy the same item at once, only one of them writes a record.
    """
    with write_transaction():
        if not CoachingMedia.delete().where(CoachingMedia.id == item.id).execute():
            return None  # someone else destroyed it a moment ago
        scheduler = item.scheduled_by  # None when the account is gone (SET NULL)
        record = DestructionRecord.create(
            title=item.title, download_name=item.download_name, mimetype=item.mimetype,
            size=item.size, destroy_on=item.destroy_on, scheduled_by=scheduler,
            scheduled_by_name=scheduler.display_name if scheduler else "",
            destroyed_by=by, destroyed_by_name=by.display_name if by else "",
            uploaded_at=item.created_at, reason=reason)
    media.destroy(COACHING_AREA, item.file_name)
    return record


@retention.rule(
    "coaching", _l("Coaching and research footage"),
    _l("Photos and videos for coaching or research are destroyed on the destruction date "
       "chosen at upload. What was destroyed, when and who scheduled it is recorded."),
    setting=("COACHING_MAX_DAYS", 365))
class CoachingRetention:
    """The retention rule: footage goes on its destruction date."""

    @staticmethod
    def due(today):
        """How many items the next purge destroys."""
        return CoachingMedia.select().where(CoachingMedia.destroy_on <= today)

    @staticmethod
    def purge(today):
        """Destroy the footage that is due."""
        return purge(today)
