"""The albums' work in the worker: uploaded photos processed every round, and the retention
rule for photo albums."""

from flask_babel import lazy_gettext as _l

from schoolportal.albums import processing
from schoolportal.albums.models import PHOTO_AREA, UPLOAD_AREA, Album, Photo
from schoolportal.core import media, retention
from schoolportal.core.database import write_transaction


@retention.rule("photos", _l("Photo albums"), _l(
    "Albums are deleted with all their photos the set number of days after they were made. "
    "Every stored size of every photo is deleted from disk."),
    setting=("RETENTION_PHOTOS_DAYS", 2 * 365))
class PhotoRetention:
    """Albums older than RETENTION_PHOTOS_DAYS, their photos and the photos' files."""

    @staticmethod
    def _old_albums():
        """The albums past retention (a subquery of ids)."""
        return Album.select(Album.id).where(Album.created_at < retention.limit("photos"))

    @staticmethod
    def due(today):
        """How many photos the next purge deletes."""
        return Photo.select().where(Photo.album.in_(PhotoRetention._old_albums()))

    @staticmethod
    def purge(today):
        """Delete the albums and photos, then their files; returns the number of photos."""
        with write_transaction():
            old = PhotoRetention._old_albums()
            photos = list(Photo.select(Photo.id, Photo.stem, Photo.widths)
                          .where(Photo.album.in_(old)))
            Photo.delete().where(Photo.album.in_(old)).execute()
            Album.delete().where(Album.id.in_(old)).execute()
        for photo in photos:
            for name in photo.file_names():
                media.delete(PHOTO_AREA, name)
            media.delete(UPLOAD_AREA, photo.upload_name)
        return len(photos)


RETENTION_RULES = (PhotoRetention,)

ROUND_JOBS = {"album_photos": processing.process_waiting}
