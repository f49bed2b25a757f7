"""Images for tests: phone photos with metadata, hostile files, and a check that none survives."""

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageCms

from schoolportal.core import images

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description>secret-xmp</rdf:Description></rdf:RDF></x:xmpmeta>')


def phone_photo(orientation=6, size=(40, 20)):
    """A JPEG as a phone writes it: left half red, right half blue, GPS, orientation, XMP, ICC."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 1.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 2.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif, icc_profile=icc, xmp=XMP,
               comment=b"secret-comment")
    data = buffer.getvalue()
    assert b"PhoneMaker" in data and b"secret-xmp" in data and b"secret-comment" in data
    return data


def encoded(image, fmt, **options):
    """The bytes of an image saved in one format."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_declaring(width, height):
    """A valid 1x1 PNG whose header claims another size (CRC fixed, so only the size lies)."""
    data = bytearray(encoded(Image.new("RGB", (1, 1), "white"), "PNG"))
    # The IHDR chunk starts at byte 8: length (4), type (4), width (4), height (4), ...
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def load(data, **limits):
    """Run the pipeline on raw upload bytes."""
    return images.load_image(io.BytesIO(data), **limits)


def assert_no_metadata(data):
    """No EXIF, GPS, XMP, ICC profile or comment in an encoded file."""
    for marker in (b"Exif", b"EXIF", b"ICCP", b"XMP ", b"xmpmeta", b"PhoneMaker", b"secret"):
        assert marker not in data, marker
    stored = Image.open(io.BytesIO(data))
    assert stored.getexif() == {} and stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(stored.info)


def truncated_jpeg():
    """A noisy JPEG cut off halfway through its picture data: the header still opens."""
    data = encoded(Image.effect_noise((400, 300), 50).convert("RGB"), "JPEG")
    half = data[: len(data) // 2]
    assert Image.open(io.BytesIO(half)).size == (400, 300)
    return half


HOSTILE = {
    "text named .jpg": b"This is not a photo at all, just text.\n" * 10,
    "truncated JPEG": truncated_jpeg(),
    "JPEG cut in its header": phone_photo(size=(400, 300))[:600],
    "GIF": encoded(Image.new("RGB", (10, 10)), "GIF"),
    "BMP": encoded(Image.new("RGB", (10, 10)), "BMP"),
    "PDF": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "SVG": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    "JPEG header only": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "HTML": b"<html><script>alert(1)</script></html>",
}
