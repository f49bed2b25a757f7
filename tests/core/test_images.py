"""The image pipeline: by content, no bombs, upright, nothing but pixels, re-encoded as WebP."""

import io
import struct

import pytest
from PIL import ExifTags, Image, ImageCms

from schoolportal.core import images
from tests.support.images import (
    HOSTILE,
    XMP,
    assert_no_metadata,
    encoded,
    load,
    phone_photo,
    png_declaring,
)


def test_orientation_is_applied():
    image = load(phone_photo(orientation=6))
    # Orientation 6: the camera was held upright, so the picture turns a quarter clockwise:
    # the red left half ends up on top.
    assert image.size == (20, 40)
    assert image.getpixel((10, 5))[0] > 200 and image.getpixel((10, 5))[2] < 60
    assert image.getpixel((10, 35))[2] > 200 and image.getpixel((10, 35))[0] < 60


def test_loaded_image_keeps_only_pixels():
    image = load(phone_photo())
    assert image.info == {} and dict(image.getexif()) == {}
    assert image.mode == "RGB"


def test_gps_and_all_other_metadata_are_gone_from_the_encoded_file():
    data = images.encode_square(load(phone_photo()), 64)
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert_no_metadata(data)
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "WEBP" and stored.size == (64, 64)


def test_square_is_cut_from_the_middle():
    image = Image.new("RGB", (300, 100), "green")
    image.paste("red", (0, 0, 100, 100))
    image.paste("blue", (200, 0, 300, 100))
    square = Image.open(io.BytesIO(images.encode_square(load(encoded(image, "PNG")), 32)))
    red, green, blue = square.convert("RGB").getpixel((16, 16))
    assert green > 100 and red < 60 and blue < 60


@pytest.mark.parametrize("fmt,mode,options", [
    ("PNG", "RGB", {}),
    ("PNG", "P", {"transparency": 0}),
    ("PNG", "LA", {}),
    ("PNG", "I;16", {}),
    ("PNG", "1", {}),
    ("WEBP", "RGBA", {}),
    ("JPEG", "CMYK", {}),
    ("JPEG", "L", {}),
])
def test_accepted_formats_and_modes_become_rgb_or_rgba(fmt, mode, options):
    image = Image.new(mode, (30, 30))
    loaded = load(encoded(image, fmt, **options))
    assert loaded.mode in ("RGB", "RGBA") and loaded.size == (30, 30)
    assert_no_metadata(images.encode_square(loaded, 16))


def test_transparency_is_kept():
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert load(encoded(image, "PNG")).mode == "RGBA"


def test_png_text_chunks_do_not_survive():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret-comment")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    data = encoded(Image.new("RGB", (20, 20)), "PNG", pnginfo=info)
    assert b"secret-comment" in data
    assert_no_metadata(images.encode_square(load(data), 20))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_things_that_are_no_usable_photo_are_refused_with_a_message(name):
    with pytest.raises(images.ImageRejected) as refused:
        load(HOSTILE[name])
    assert "JPEG, PNG or WebP" in str(refused.value.message)


def test_empty_file_is_refused():
    with pytest.raises(images.ImageRejected, match="empty"):
        load(b"")


def test_too_many_bytes_are_refused_before_decoding():
    with pytest.raises(images.ImageRejected, match="10 MB"):
        load(b"\xff\xd8" + b"\0" * (10 * 1024 * 1024))


@pytest.mark.parametrize("width,height", [(100_000, 100_000), (7_000, 7_000), (0x7FFFFFFF, 1)])
def test_decompression_bombs_are_refused_by_their_declared_size(width, height):
    with pytest.raises(images.ImageRejected, match="megapixels"):
        load(png_declaring(width, height))


def test_pillows_own_bomb_limit_also_becomes_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)
    with pytest.raises(images.ImageRejected, match="megapixels"):
        load(encoded(Image.new("RGB", (10, 6)), "PNG"))  # 60 pixels: Pillow warns
    with pytest.raises(images.ImageRejected, match="megapixels"):
        load(encoded(Image.new("RGB", (20, 20)), "PNG"))  # 400 pixels: Pillow raises


def test_the_callers_limits_apply():
    with pytest.raises(images.ImageRejected, match="megapixels"):
        load(encoded(Image.new("RGB", (20, 20)), "PNG"), max_pixels=399)
    with pytest.raises(images.ImageRejected, match="larger than"):
        load(encoded(Image.new("RGB", (20, 20)), "PNG"), max_bytes=10)


def test_jpegs_decode_at_a_reduced_scale_for_thumbnails():
    big = encoded(Image.new("RGB", (2400, 1600), "white"), "JPEG")
    image = load(big, min_side=256)
    assert min(image.size) >= 256 and image.size[0] < 2400


def test_large_images_are_scaled_down_early_and_still_turned_upright():
    image = Image.new("RGB", (2000, 1000), "blue")
    image.paste("red", (0, 0, 1000, 1000))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    for fmt in ("PNG", "WEBP", "JPEG"):
        loaded = load(encoded(image, fmt, exif=exif), min_side=256)
        assert loaded.size[0] < loaded.size[1] and min(loaded.size) >= 256, fmt
        assert min(loaded.size) < 1000 and loaded.info == {}, fmt
        top, bottom = loaded.getpixel((100, 20)), loaded.getpixel((100, loaded.size[1] - 20))
        assert top[0] > 200 and bottom[2] > 200, (fmt, top, bottom)


def _s15(value):
    """An ICC s15Fixed16Number."""
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(x, y, z):
    """An ICC XYZType tag."""
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def display_p3_profile():
    """A small ICC v2 profile with Display P3's primaries (as iPhones embed), gamma 2.2."""
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    text = b"Display P3 (test)\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 78
    desc += b"\0" * (-len(desc) % 4)
    tags = [(b"desc", desc), (b"wtpt", _xyz_tag(0.9642, 1.0, 0.8249)),
            (b"rXYZ", _xyz_tag(0.5151, 0.2412, -0.0011)),
            (b"gXYZ", _xyz_tag(0.2920, 0.6922, 0.0419)),
            (b"bXYZ", _xyz_tag(0.1571, 0.0666, 0.7841)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table = data = b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", offset + len(data)) + b"\0" * 4 + struct.pack(">I", 0x02100000)
              + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 28
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data


def test_a_display_p3_photo_is_converted_to_srgb_before_its_profile_goes():
    photo = Image.new("RGB", (32, 16), (200, 100, 50))
    loaded = load(encoded(photo, "PNG", icc_profile=display_p3_profile()))
    red, green, blue = loaded.getpixel((5, 5))
    # P3 (200, 100, 50) is a more saturated orange in sRGB: about (216, 93, 24).
    assert abs(red - 216) <= 2 and abs(green - 93) <= 2 and abs(blue - 24) <= 2
    assert "icc_profile" not in loaded.info
    assert_no_metadata(images.encode_webp(loaded))


def test_srgb_and_broken_profiles_leave_the_pixels_as_they_are():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for profile in (srgb, b"not a colour profile at all" * 10):
        photo = Image.new("RGB", (32, 16), (200, 100, 50))
        loaded = load(encoded(photo, "PNG", icc_profile=profile))
        assert loaded.getpixel((5, 5)) == (200, 100, 50)
        assert "icc_profile" not in loaded.info
