"""Album photos: from an upload to resized variants on disk, and back off the disk.

At upload, `check` refuses at once what is no photo for us (by content, declared pixel
count, size; see images.check_upload). The worker later runs `prepare` on the stored
upload: images.load_image (decided by content again, turned upright, nothing but pixels
left), then re-encoded at each of WIDTHS not wider than the photo, as WebP and as a JPEG
fallback; then the upload is deleted (albums.processing). Files are named
`<stem>-<width>.<ext>` under MEDIA_ROOT/photos (models.PHOTO_AREA).

Sizes are chosen so that the decoders may skip work. The largest width is 1,280 px: a
phone screen's full width at 3x (390 CSS px), and small enough that a JPEG from a phone
(12 MP: 4,032 px; 8 MP: 3,264 px) is decoded at half scale (2,016 or 1,632 px; with the old
2,048 px a 12 MP photo had to be decoded in full): a quarter of the memory and a fraction of
the time. Each smaller width is half the one before, made with `reduce(2)` (a box average,
nearly free) instead of a resampling filter. bench/photo_processing.py measures it.
"""

import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image

from schoolportal.albums.models import PHOTO_AREA, UPLOAD_AREA
from schoolportal.core import images, media

WIDTHS = (320, 640, 1280)
EXTENSIONS = {"webp": "image/webp", "jpg": "image/jpeg"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
MIN_SIDE = 100
WEBP_QUALITY = 78
WEBP_METHOD = 0  # the fastest: about 40 % less time than 2, a few % larger


@dataclass
class Prepared:
    """A photo ready to store: its variants' bytes by (width, extension), and its size."""

    width: int
    height: int
    files: dict = field(default_factory=dict)

    @property
    def widths(self):
        """The widths made, smallest first."""
        return sorted({width for width, _ext in self.files})


def limits():
    """(max bytes, max pixels) of one uploaded photo, from the settings."""
    config = current_app.config
    return (int(config.get("ALBUM_PHOTO_MAX_BYTES", MAX_BYTES)),
            int(config.get("ALBUM_PHOTO_MAX_PIXELS", MAX_PIXELS)))


def check(stream, max_bytes=None, max_pixels=None):
    """The quick check at upload: an images.Checked, or images.ImageRejected with the reason."""
    default_bytes, default_pixels = limits()
    return images.check_upload(stream, max_bytes or default_bytes,
                               max_pixels or default_pixels, min_side=MIN_SIDE, heif=True)


def final_size(width, height):
    """(width, height) of the largest variant of a photo of this (upright) size."""
    largest = widths_for(width)[-1]
    return largest, max(1, round(height * largest / width))


def widths_for(source_width):
    """The variant widths for a photo this wide: never wider than the photo itself."""
    fitting = [width for width in WIDTHS if width <= source_width]
    if len(fitting) < len(WIDTHS):
        fitting.append(min(source_width, WIDTHS[-1]))
    return sorted(set(fitting))


def prepare(stream, max_bytes=None, max_pixels=None):
    """Decode one upload and encode every variant in memory; raises images.ImageRejected."""
    default_bytes, default_pixels = limits()
    image = images.load_image(stream, max_bytes or default_bytes, max_pixels or default_pixels,
                              min_width=WIDTHS[-1], heif=True)
    if min(image.size) < MIN_SIDE:
        raise images.ImageRejected(_l("This photo is too small (at least %(px)d pixels "
                                      "on each side). Choose a larger one.", px=MIN_SIDE))
    widths = widths_for(image.width)
    prepared = Prepared(widths[-1], round(image.height * widths[-1] / image.width))
    # The one real resampling step (from the decoder's output, less than twice as wide)
    # with bilinear (antialiased when scaling down, like every Pillow filter; bicubic costs
    # two thirds more for no visible difference at that factor); each halving after it
    # with reduce(2).
    resample = Image.Resampling.BILINEAR
    for width in reversed(widths):
        image = _resized(image, width, resample)
        resample = Image.Resampling.LANCZOS
        prepared.files[(width, "webp")] = images.encode_webp(image, WEBP_QUALITY, WEBP_METHOD)
        prepared.files[(width, "jpg")] = images.encode_jpeg(image)
    return prepared


def _resized(image, width, resample):
    """The image scaled to this width, keeping its proportions (halving: a box average)."""
    if image.width == width:
        return image
    if image.width == 2 * width:
        return image.reduce(2)
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), resample)


def new_stem():
    """A random name shared by all files of one photo."""
    return secrets.token_hex(16)


def write(stem, prepared):
    """Write a prepared photo's variants to disk under its stem."""
    written = []
    try:
        for (width, extension), data in prepared.files.items():
            name = f"{stem}-{width}.{extension}"
            media.write(PHOTO_AREA, name, data)
            written.append(name)
    except BaseException:
        delete_names(written)
        raise


def delete_names(names):
    """Remove these files of the photo area from disk."""
    for name in names:
        media.delete(PHOTO_AREA, name)


def delete_files(photo):
    """Remove every variant of a photo from disk, and its upload if it still waits."""
    delete_names(photo.file_names())
    media.delete(UPLOAD_AREA, photo.upload_name)


def send(photo, width, extension, download_name=None):
    """The response with one variant's bytes; only after authz allowed the photo."""
    name = photo.file_name(width, extension)
    inline = download_name is None
    return media.send(PHOTO_AREA, name, download_name or f"foto-{photo.id}-{width}.{extension}",
                      EXTENSIONS[extension], inline=inline)
