"""Profile photos: stored as small square WebP files with random names, outside static/.

A photo is kept in SIZES, as MEDIA_ROOT/profiles/<name>-<size>.webp, where <name> is
random and the only part stored in account.photo. Paths are built from that stored
name only (checked against NAME_PATTERN again), never from anything in a request.
Files are written before the account points at them and old files are deleted after
the change is committed, so a failed upload never leaves an account without its photo.
"""

import logging
import os
import re
import secrets
from pathlib import Path

from flask import current_app

from schoolportal.core import images
from schoolportal.core.database import write_transaction
from schoolportal.core.models import User

SIZES = (64, 256)
SMALL, LARGE = SIZES
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
NAME_PATTERN = re.compile(r"[0-9a-f]{32}")

log = logging.getLogger(__name__)


def directory():
    """The folder that holds every profile photo."""
    return Path(current_app.config["MEDIA_ROOT"]) / "profiles"


def path_of(name, size):
    """The file of one size of a stored photo; None for a name or size that cannot be ours."""
    if size not in SIZES or not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return None
    return directory() / f"{name}-{size}.webp"


def store(user, stream):
    """Make the upload the user's photo; raises images.ImageRejected, changing nothing.

    Returns the new stored name.
    """
    image = images.load_image(stream, MAX_BYTES, MAX_PIXELS, min_side=max(SIZES))
    encoded = {size: images.encode_square(image, size) for size in SIZES}
    name = secrets.token_hex(16)
    _write_files(name, encoded)
    try:
        with write_transaction():
            old = _point_account_at(user, name)
    except BaseException:
        _delete_files(name)
        raise
    _delete_files(old)
    return name


def remove(user):
    """Take away the user's photo and delete its files; False when there was none."""
    with write_transaction():
        old = _point_account_at(user, None)
    _delete_files(old)
    return old is not None


def _point_account_at(user, name):
    """Set account.photo to name and return the name it had (compare-and-set, no lost files)."""
    for _attempt in range(5):
        old = User.select(User.photo).where(User.id == user.id).scalar()
        unchanged = User.photo.is_null() if old is None else (User.photo == old)
        if User.update(photo=name).where((User.id == user.id) & unchanged).execute():
            user.photo = name
            return old
    # Five concurrent changes in a row for one person's photo: give up rather than spin.
    raise RuntimeError("profile photo changed concurrently too often")


def _write_files(name, encoded):
    """Write each size under a temporary name, then rename, so no half file is ever served."""
    directory().mkdir(parents=True, exist_ok=True)
    try:
        for size, data in encoded.items():
            final = path_of(name, size)
            partial = final.with_suffix(".part")
            with open(partial, "xb") as handle:
                handle.write(data)
            os.replace(partial, final)
    except BaseException:
        for size in encoded:
            path_of(name, size).unlink(missing_ok=True)
            path_of(name, size).with_suffix(".part").unlink(missing_ok=True)
        raise


def _delete_files(name):
    """Delete every size of a stored photo (a missing file is fine: it is gone already)."""
    if name is None:
        return
    for size in SIZES:
        path = path_of(name, size)
        if path is None:
            log.warning("Not deleting profile photo with unexpected name %r", name)
            return
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("Could not delete old profile photo %s", path)
