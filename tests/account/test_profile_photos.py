"""Profile photos on disk: random names, two WebP sizes, old files deleted, no metadata."""

import io

import pytest
from PIL import ExifTags, Image

from schoolportal.account import policy, profile_photos
from schoolportal.core import images
from schoolportal.core.models import User
from tests.support.images import HOSTILE, assert_no_metadata, encoded, phone_photo
from tests.support.web import ADMIN, OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT


def _user(email=PARENT):
    """A fresh copy of a demo account."""
    return User.by_email(email)


def _files(app):
    """The file names in the profile photo folder."""
    folder = profile_photos.directory()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_photo_is_stored_in_two_sizes_under_a_random_name(app, db_ctx):
    name = profile_photos.store(_user(), io.BytesIO(phone_photo()))
    assert _user().photo == name and len(name) == 32
    assert _files(app) == [f"{name}-256.webp", f"{name}-64.webp"]
    for size in (64, 256):
        stored = Image.open(profile_photos.path_of(name, size))
        assert stored.format == "WEBP" and stored.size == (size, size)


def test_the_stored_file_has_no_gps_and_is_upright(app, db_ctx):
    # A tall photo (red top, blue bottom) that the camera stored lying down (orientation 8).
    lying = phone_photo(orientation=8, size=(400, 200))
    name = profile_photos.store(_user(), io.BytesIO(lying))
    path = profile_photos.path_of(name, 256)
    data = path.read_bytes()
    assert_no_metadata(data)
    assert Image.open(path).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    # Orientation 8 turns a quarter anticlockwise: the red left half ends up at the bottom.
    stored = Image.open(path).convert("RGB")
    top, bottom = stored.getpixel((128, 10)), stored.getpixel((128, 245))
    assert top[2] > 200 and top[0] < 60, top
    assert bottom[0] > 200 and bottom[2] < 60, bottom


def test_replacing_deletes_the_old_files(app, db_ctx):
    first = profile_photos.store(_user(), io.BytesIO(phone_photo()))
    second = profile_photos.store(_user(), io.BytesIO(encoded(Image.new("RGB", (50, 50)), "PNG")))
    assert first != second
    assert _files(app) == [f"{second}-256.webp", f"{second}-64.webp"]


def test_removing_deletes_the_files_and_clears_the_account(app, db_ctx):
    profile_photos.store(_user(), io.BytesIO(phone_photo()))
    assert profile_photos.remove(_user()) is True
    assert _user().photo is None and _files(app) == []
    assert profile_photos.remove(_user()) is False


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_refused_upload_changes_nothing(app, db_ctx, name):
    kept = profile_photos.store(_user(), io.BytesIO(phone_photo()))
    with pytest.raises(images.ImageRejected):
        profile_photos.store(_user(), io.BytesIO(HOSTILE[name]))
    assert _user().photo == kept
    assert _files(app) == [f"{kept}-256.webp", f"{kept}-64.webp"]


def test_a_failing_database_write_leaves_no_files(app, db_ctx, monkeypatch):
    def broken(user, name):
        raise RuntimeError("database gone")

    monkeypatch.setattr(profile_photos, "_point_account_at", broken)
    with pytest.raises(RuntimeError):
        profile_photos.store(_user(), io.BytesIO(phone_photo()))
    assert _files(app) == [] and _user().photo is None


@pytest.mark.parametrize("name,size", [
    ("../../etc/passwd", 64), ("g" * 32, 64), ("A" * 32, 64), ("0" * 31, 64), ("0" * 32 + "/", 64),
    (None, 64), ("0" * 32, 128), ("0" * 32, -64),
])
def test_paths_are_built_only_from_names_we_make(app, db_ctx, name, size):
    assert profile_photos.path_of(name, size) is None


def test_path_stays_inside_the_profiles_folder(app, db_ctx):
    path = profile_photos.path_of("0123456789abcdef" * 2, 64)
    assert path.parent == profile_photos.directory()


# Who may see whose photo: staff photos for all; a parent's for admins, and for the staff and
# parents of a group with one of that parent's children.
@pytest.mark.parametrize("viewer,owner,allowed", [
    (PARENT, PARENT, True),
    (OTHER_PARENT, TEACHER, True),
    (OTHER_PARENT, ADMIN, True),
    (TEACHER, PARENT, True),
    (ADMIN, OTHER_PARENT, True),
    ("meester.ahmed@example.org", PARENT, False),  # staff of another group (issue 18)
    ("meester.ahmed@example.org", TWO_GROUP_PARENT, True),  # Adam is in his Groep 5
    ("juf.marloes@example.org", TWO_GROUP_PARENT, False),  # Groep 8: no child of theirs
    (TWO_GROUP_PARENT, PARENT, True),  # both have a child in Groep 1/2A
    (PARENT, TWO_GROUP_PARENT, True),
    (OTHER_PARENT, TWO_GROUP_PARENT, True),  # both have a child in Groep 5
    (OTHER_PARENT, PARENT, False),  # Groep 5 and Groep 1/2A share nothing
    (PARENT, OTHER_PARENT, False),
])
def test_who_may_see_whose_photo(db_ctx, viewer, owner, allowed):
    assert policy.may_see_photo_of(_user(viewer), _user(owner)) is allowed


def test_uploads_at_the_same_moment_leave_exactly_one_photo_on_disk(app):
    import threading

    from schoolportal.core.extensions import db

    barrier = threading.Barrier(4)
    errors = []

    def upload(shade):
        try:
            with app.app_context(), db.connection_context():
                user = _user()
                data = encoded(Image.new("RGB", (300, 300), (shade, 0, 0)), "PNG")
                barrier.wait(timeout=10)
                profile_photos.store(user, io.BytesIO(data))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(n * 60,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with app.app_context(), db.connection_context():
        name = _user().photo
        assert _files(app) == [f"{name}-256.webp", f"{name}-64.webp"]
