"""Uploaded files (attachments): kept outside static/ under random names, sent only by
routes that asked authz first.

The type is decided by the file's content, not its name. Images are re-encoded (all
metadata, GPS included, stripped); other files are accepted only as PDF, office documents
(OOXML, OpenDocument, legacy Office) or plain text. `send` adds the headers every media
response needs, and hands the bytes to the web server when MEDIA_SENDFILE is set.
"""

import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from schoolportal.core import images

MAX_BYTES = 10 * 1024 * 1024
NAME_PATTERN = re.compile(r"[0-9a-f]{32}(-[0-9]{2,4})?\.[a-z0-9]{3,4}")
AREA_PATTERN = re.compile(r"[a-z_]{1,32}")
OOXML = {"word/": ("docx", "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document"),
         "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
         "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument."
                          "presentationml.presentation")}
ODF = {"application/vnd.oasis.opendocument.text": "odt",
       "application/vnd.oasis.opendocument.spreadsheet": "ods",
       "application/vnd.oasis.opendocument.presentation": "odp"}


class MediaRejected(images.ImageRejected):
    """An upload that is not accepted; `message` says why, for the person who sent it."""


@dataclass(frozen=True)
class StoredFile:
    """What a feature keeps about a stored file in its own table."""

    name: str  # random file name under MEDIA_ROOT/<area>/
    mimetype: str
    size: int
    download_name: str  # the uploader's file name, cleaned


def store(area, stream, filename, max_bytes=MAX_BYTES):
    """Check and store an upload under MEDIA_ROOT/<area>; returns a StoredFile."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise MediaRejected(_l("The file is empty."))
    if len(data) > max_bytes:
        raise MediaRejected(_l("This file is larger than %(mb)d MB. Send a smaller one.",
                               mb=max_bytes // (1024 * 1024)))
    try:
        extension, mimetype, data = _sniff(data)
    except MediaRejected:
        raise
    except images.ImageRejected as error:  # a photo that is broken, too big or a bomb
        raise MediaRejected(error.message) from error
    name = f"{secrets.token_hex(16)}.{extension}"
    target = _directory(area) / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return StoredFile(name, mimetype, len(data), clean_download_name(filename, extension))


def store_bytes(area, data, extension, mimetype, filename):
    """Store bytes a feature has already checked (e.g. a video); returns a StoredFile."""
    if not re.fullmatch(r"[a-z0-9]{2,4}", extension):
        raise ValueError(f"bad extension {extension!r}")
    name = f"{secrets.token_hex(16)}.{extension}"
    target = _directory(area) / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return StoredFile(name, mimetype, len(data), clean_download_name(filename, extension))


def write(area, name, data):
    """Store bytes under a name a feature made (e.g. `<stem>-<width>.webp`), atomically."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"bad media name {name!r}")
    target = _directory(area) / name
    partial = target.with_name(name + ".part")
    partial.write_bytes(data)
    os.replace(partial, target)


def send(area, name, download_name, mimetype, inline=False):
    """The response for a stored file; call it only after authz allowed it."""
    path = path_of(area, name)
    if not path.is_file():
        abort(404)
    sendfile = current_app.config.get("MEDIA_SENDFILE", "")
    if sendfile:
        response = current_app.response_class(mimetype=mimetype)
        if sendfile == "x-accel":
            response.headers["X-Accel-Redirect"] = f"/protected-media/{area}/{name}"
        else:
            response.headers["X-Sendfile"] = str(path)
    else:
        response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    disposition = "inline" if inline else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=download_name)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def delete(area, name):
    """Remove a stored file from disk (gone for good)."""
    path = path_of(area, name)
    if path.is_file():
        path.unlink()


def destroy(area, name):
    """Overwrite a stored file with random bytes, flush it to disk, then remove it.

    For footage that must be destroyed: what is left in the file's old blocks is noise.
    Returns True when a file was there.
    """
    path = path_of(area, name)
    if not path.is_file():
        return False
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        remaining = size
        while remaining > 0:
            chunk = min(remaining, 1024 * 1024)
            handle.write(secrets.token_bytes(chunk))
            remaining -= chunk
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    return True


def path_of(area, name):
    """The file's place on disk; only names this module made are accepted."""
    if not AREA_PATTERN.fullmatch(area or "") or not NAME_PATTERN.fullmatch(name or ""):
        abort(404)
    return Path(current_app.config["MEDIA_ROOT"]) / area / name


def clean_download_name(filename, extension):
    """The uploader's file name, safe to show and to send back, with the right extension."""
    stem = Path(str(filename or "")).stem
    stem = "".join(c for c in stem if c.isalnum() or c in " -_.()")[:80].strip(" .") or "bestand"
    return f"{stem}.{extension}"


def _directory(area):
    """MEDIA_ROOT/<area>, created when needed."""
    if not AREA_PATTERN.fullmatch(area):
        raise ValueError(f"bad media area {area!r}")
    directory = Path(current_app.config["MEDIA_ROOT"]) / area
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _sniff(data):
    """(extension, mimetype, bytes to store) for accepted content; else MediaRejected."""
    if data[:5] == b"%PDF-":
        return "pdf", "application/pdf", data
    if data[:4] == b"PK\x03\x04":
        return _office_zip(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "doc", "application/msword", data  # legacy Word/Excel container
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[8:12] == b"WEBP":
        image = images.load_image(io.BytesIO(data), max_bytes=len(data))
        return "webp", "image/webp", images.encode_webp(image)
    if _is_plain_text(data):
        return "txt", "text/plain; charset=utf-8", data
    raise MediaRejected(_l("This kind of file is not accepted. Send a PDF, an office "
                           "document, a photo (JPEG, PNG, WebP) or a text file."))


def _office_zip(data):
    """OOXML or OpenDocument inside a zip; other zips are refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                if kind in ODF:
                    return ODF[kind], kind, data
            if "[Content_Types].xml" in names:
                for prefix, (extension, mimetype) in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return extension, mimetype, data
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    raise MediaRejected(_l("This kind of file is not accepted. Send a PDF, an office "
                           "document, a photo (JPEG, PNG, WebP) or a text file."))


def _is_plain_text(data):
    """UTF-8 text without control characters other than tabs and line ends."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text)
