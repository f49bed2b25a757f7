"""The image pipeline: decide by content, refuse bombs, turn upright, keep only pixels, re-encode.

Uploads are hostile until proven otherwise. An image is opened only with the decoders
we accept (JPEG, PNG, WebP; HEIC from iPhones where a caller asks for it), whatever its
file name or Content-Type says; its declared
size is checked before a single pixel is decoded; it is turned upright by its EXIF
orientation; and what leaves this module is a new image holding nothing but pixels, so
no EXIF (GPS!), XMP, ICC profile or comment can survive into a stored file.
"""

import io
import logging
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
WEBP_QUALITY = 80
JPEG_QUALITY = 82
ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height

log = logging.getLogger(__name__)


class ImageRejected(ValueError):
    """An upload that is not an image we accept; `message` says why, for the user."""

    def __init__(self, message):
        """Keep the (lazy, translatable) message for the form."""
        super().__init__(str(message))
        self.message = message


def read_limited(stream, max_bytes=MAX_BYTES):
    """The bytes of an upload, refusing empty ones and ones larger than max_bytes."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise ImageRejected(_l("This file is empty. Choose a photo."))
    if len(data) > max_bytes:
        raise ImageRejected(_l("This photo is larger than %(mb)d MB. Choose a smaller one.",
                               mb=max_bytes // (1024 * 1024)))
    return data


def load_image(stream, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, min_side=None,
               min_width=None, heif=False):
    """Decode an upload into an upright RGB or RGBA image without any metadata.

    With `min_side`, the image is scaled down early (JPEGs already while decoding) as
    long as both sides stay at least that long: a thumbnail then needs a fraction of the
    memory of a 40-megapixel photo. With `min_width`, a JPEG is decoded at the smallest
    scale that keeps the upright width at least that wide. With `heif`, HEIC/HEIF files
    (recognised by their content) are accepted too. Raises ImageRejected with a message
    for the user when the upload is not acceptable.
    """
    data = read_limited(stream, max_bytes)
    try:
        if heif and _is_heif(data):
            return _decode_heif(data, max_pixels)
        return _decode(data, max_pixels, min_side, min_width)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(_too_large_message(max_pixels)) from error
    except Exception as error:  # noqa: BLE001 (any decoder failure on hostile bytes is a refusal)
        log.info("Refused an upload that does not decode: %r", error)
        raise ImageRejected(_l(
            "This file is not a photo we can use. Choose a JPEG, PNG or WebP photo.")) from error


@dataclass(frozen=True)
class Checked:
    """An upload that passed `check_upload`: its bytes and its upright size as declared."""

    data: bytes
    format: str
    width: int
    height: int


def check_upload(stream, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, min_side=1, heif=False):
    """What can be known of an upload in a few milliseconds, without decoding it in full.

    The size in bytes, the type by content (the accepted decoders only), the declared
    pixel count (bombs) and sides; a JPEG must end its image data and a PNG's chunks must
    all check out, so a file cut off during upload is refused at once too. Raises
    ImageRejected with the same messages as `load_image`. The full decode comes later, in
    the worker (`load_image`); a file damaged inside is found there.
    """
    data = read_limited(stream, max_bytes)
    try:
        if heif and _is_heif(data):
            import pillow_heif

            heif_file = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
            width, height = heif_file.size  # libheif applies the rotation: already upright
            kind = "HEIF"
        else:
            width, height, kind = _check_header(data, max_pixels)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(_too_large_message(max_pixels)) from error
    except Exception as error:  # noqa: BLE001 (any decoder failure on hostile bytes is a refusal)
        log.info("Refused an upload that does not decode: %r", error)
        raise ImageRejected(_l(
            "This file is not a photo we can use. Choose a JPEG, PNG or WebP photo.")) from error
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRejected(_too_large_message(max_pixels))
    if min(width, height) < min_side:
        raise ImageRejected(_l("This photo is too small (at least %(px)d pixels on each side). "
                               "Choose a larger one.", px=min_side))
    return Checked(data, kind, width, height)


def _check_header(data, max_pixels):
    """(upright width, height, format) from the header, after a cheap look at the rest."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        width, height = image.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise ImageRejected(_too_large_message(max_pixels))
        if image.getexif().get(0x0112) in ROTATED:
            width, height = height, width
        kind = image.format
        if kind in ("JPEG", "MPO"):
            # Opening stops at the first scan; its data ends with the end-of-image marker,
            # which a file cut off during upload lacks (FF D9 cannot occur inside the data).
            if data.find(b"\xff\xd9", image.fp.tell()) < 0:
                raise ValueError("JPEG without its end marker: truncated")
        elif kind == "PNG":
            image.verify()  # every chunk's checksum, up to the end
        elif len(data) < 12 or int.from_bytes(data[4:8], "little") + 8 > len(data):
            raise ValueError("WebP shorter than its RIFF header says")
    return width, height, kind


def _is_heif(data):
    """True for an ISO media file whose brand is HEIC/HEIF (what iPhones write)."""
    return data[4:8] == b"ftyp" and data[8:12] in (
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


def _decode_heif(data, max_pixels):
    """Decode a HEIC photo with pillow-heif, checking its size before any pixel is decoded.

    pillow-heif is used directly rather than registered as a Pillow opener, so HEIC is
    accepted only where a caller asked for it. libheif applies the file's rotation while
    decoding, so the EXIF orientation is not applied a second time.
    """
    import pillow_heif

    heif_file = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    width, height = heif_file.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRejected(_too_large_message(max_pixels))
    image = heif_file.to_pillow()
    image.load()
    return _pixels_only(to_srgb(_rgb_or_rgba(image)))


def _draft_size(image, min_side, min_width):
    """The size to ask a JPEG decoder for, or None to decode at full scale."""
    if min_side:
        return (min_side, min_side)
    if min_width:
        # draft() keeps both sides at least this long; the height stays free.
        rotated = image.getexif().get(0x0112) in ROTATED
        return (1, min_width) if rotated else (min_width, 1)
    return None


def _decode(data, max_pixels, min_side, min_width=None):
    """Open with the accepted decoders only, check the declared size, decode, turn upright."""
    with warnings.catch_warnings():
        # Pillow warns above its own limit; make that a refusal, not a log line.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        width, height = image.size  # from the header: nothing decoded yet
        if width < 1 or height < 1 or width * height > max_pixels:
            raise ImageRejected(_too_large_message(max_pixels))
        draft = _draft_size(image, min_side, min_width)
        if draft and image.format in ("JPEG", "MPO"):
            image.draft("RGB", draft)
        image.load()  # a truncated or corrupt file fails here, before anything is stored
    image = _rgb_or_rgba(image)  # keeps .info, where the EXIF orientation is
    if min_side and min(image.size) // min_side >= 2:
        image = image.reduce(min(image.size) // min_side)
    ImageOps.exif_transpose(image, in_place=True)  # an upright photo is not copied
    return _pixels_only(to_srgb(image))


def _too_large_message(max_pixels):
    """The message for an image with too many pixels (or a decompression bomb)."""
    return _l("This photo has too many pixels (at most %(mp)d megapixels). Choose a smaller one.",
              mp=max_pixels // 1_000_000)


def _rgb_or_rgba(image):
    """The image in RGB, or RGBA when it has transparency."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit and float greyscale: scale down to 8 bits instead of clipping to white.
        info = image.info
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        image.info = info
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    return image.convert(mode) if image.mode != mode else image


def to_srgb(image):
    """The image in sRGB when it carries another RGB colour profile (iPhones: Display P3).

    The profile is stripped with the rest of the metadata, so its colours are converted
    first; otherwise such photos look dull. Unreadable profiles leave the pixels as they are.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB":
            return image
        if ImageCms.getProfileDescription(source).strip().lower().startswith("srgb"):
            return image  # already sRGB: nothing to convert
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as error:
        log.info("Kept the pixels of a photo whose colour profile does not work: %r", error)
        return image
    return converted if converted is not None else image


def _pixels_only(image):
    """A new image with the same pixels and nothing else: no info, no EXIF, no profile."""
    clean = Image.new(image.mode, image.size, None)  # not filled: paste covers every pixel
    clean.paste(image)
    return clean


def encode_webp(image, quality=WEBP_QUALITY, method=4):
    """The image as WebP bytes, explicitly without EXIF, XMP or ICC profile.

    `method` trades time for size (0 fast .. 6 small); 2 is about twice as fast as 4 and
    hardly larger.
    """
    buffer = io.BytesIO()
    # Pillow writes WebP metadata only when asked; say "none" anyway, in case that changes.
    image.save(buffer, "WEBP", quality=quality, method=method, exif=b"", xmp="",
               icc_profile=None)
    return buffer.getvalue()


def encode_jpeg(image, quality=JPEG_QUALITY):
    """The image as a progressive JPEG without EXIF, XMP, ICC profile or comment.

    Transparent parts become white: JPEG has no alpha.
    """
    if image.mode != "RGB":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A") if "A" in image.mode else None)
        image = flat
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def encode_square(image, size, quality=WEBP_QUALITY):
    """The middle square of the image, scaled to size x size, as WebP bytes."""
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return encode_webp(square, quality)
