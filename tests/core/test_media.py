"""Stored attachments: content decides the type, images lose their metadata, names stay ours."""

import io
import zipfile

import pytest
from PIL import Image

from schoolportal.core import media


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _jpeg_with_gps():
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "filename", "extension"), [
    (b"%PDF-1.7\n...", "Nieuwsbrief mei.pdf", "pdf"),
    (_zip({"[Content_Types].xml": "x", "word/document.xml": "x"}), "brief.docx", "docx"),
    (_zip({"mimetype": "application/vnd.oasis.opendocument.text"}), "brief.odt", "odt"),
    ("Gewone tekst, met één accent.\n".encode(), "lees mij.txt", "txt"),
    (_jpeg_with_gps(), "IMG_0001.JPG", "webp"),
])
def test_accepted_files_are_stored_under_random_names(db_ctx, data, filename, extension):
    stored = media.store("attachments", io.BytesIO(data), filename)
    assert media.NAME_PATTERN.fullmatch(stored.name) and stored.name.endswith("." + extension)
    assert stored.download_name.endswith("." + extension)
    assert media.path_of("attachments", stored.name).read_bytes()[:2]


def test_images_lose_their_metadata(db_ctx):
    stored = media.store("attachments", io.BytesIO(_jpeg_with_gps()), "foto.jpg")
    with Image.open(media.path_of("attachments", stored.name)) as image:
        assert not image.getexif() and "exif" not in image.info


@pytest.mark.parametrize("data", [
    b"", b"MZ\x90\x00 executable", _zip({"evil.exe": "x"}), b"GIF89a\x01\x00\x01\x00\x80\x00",
    b"<script>alert(1)</script>\x00", b"\xff\xd8\xff broken jpeg",
    b"%PDF" + b"x" * (2 * 1024 * 1024),
])
def test_other_files_are_refused_with_a_message(db_ctx, data):
    with pytest.raises(media.MediaRejected) as refused:
        media.store("attachments", io.BytesIO(data), "x.pdf", max_bytes=1024 * 1024)
    assert str(refused.value.message)


def test_names_not_made_here_are_never_opened(db_ctx):
    from werkzeug.exceptions import NotFound

    for area, name in [("attachments", "../../etc/passwd"), ("../x", "a" * 32 + ".pdf"),
                       ("attachments", "A" * 32 + ".pdf")]:
        with pytest.raises(NotFound):
            media.path_of(area, name)


def test_download_names_are_cleaned():
    assert media.clean_download_name('../../a"b\r\nc.pdf', "pdf") == "abc.pdf"
    assert media.clean_download_name("", "docx") == "bestand.docx"
