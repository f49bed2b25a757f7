"""Coaching and research footage: a closed circle, content-checked uploads, destruction on time."""

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from schoolportal.coaching import service
from schoolportal.coaching.models import COACHING_AREA, CoachingMedia, DestructionRecord
from schoolportal.core import media, retention, worker
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, User
from tests.support.web import ADMIN, OTHER_TEACHER, TEACHER, csrf_token_from

MP4 = (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
       b"\x00\x00\x00\x08free\x00\x00\x00\x10mdat" + bytes(8))
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  \x00\x00\x00\x08wide" + bytes(16)
WEBM = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + bytes(32))
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x08meta" + bytes(8)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def _jpeg_with_gps():
    """A small JPEG carrying a GPS position, as a phone writes it."""
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _folder(app):
    """MEDIA_ROOT/coaching of this test's app."""
    return Path(app.config["MEDIA_ROOT"]) / COACHING_AREA


def _files(app):
    """The names of the files in the coaching folder (none when it does not exist)."""
    folder = _folder(app)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _add(app, email, days, data=MP4, group=None, title="Les"):
    """Footage uploaded by this account, due in `days` days (negative: overdue); its id."""
    with app.app_context(), db.connection_context():
        user = User.by_email(email)
        stored = service.store_upload(io.BytesIO(data), "les.mp4")
        group = Group.get(Group.name == group) if group else None
        item = service.add(user, stored, title, "Coachingstraject", group,
                            worker.school_today() + timedelta(days=max(days, 0)))
        if days < 0:  # an upload cannot be overdue: move the date back as time would
            CoachingMedia.update(destroy_on=worker.school_today() + timedelta(days=days)).where(
                CoachingMedia.id == item.id).execute()
        return item.id, item.file_name


def _today(app):
    with app.app_context():
        return worker.school_today()


# --- the domain ---------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "kind"), [
    (MP4, "mp4"), (MOV, "mov"), (WEBM, "webm"), (HEIC, None), (HTML, None),
    (MP4[:24], None), (b"\x1a\x45\xdf\xa3" + bytes(60), None), (b"", None),
])
def test_video_kind_is_decided_by_content(data, kind):
    assert service.video_kind(data) == kind


def test_photos_are_re_encoded_without_their_metadata(db_ctx, app):
    stored = service.store_upload(io.BytesIO(_jpeg_with_gps()), "IMG_0001.JPG")
    assert stored.mimetype == "image/webp" and stored.download_name == "IMG_0001.webp"
    with Image.open(media.path_of(COACHING_AREA, stored.name)) as image:
        assert not image.getexif() and "exif" not in image.info


def test_videos_are_kept_with_their_type_and_a_clean_name(db_ctx):
    stored = service.store_upload(io.BytesIO(MP4), "../../les <1>.mov")
    assert (stored.mimetype, stored.download_name) == ("video/mp4", "les 1.mp4")
    assert media.path_of(COACHING_AREA, stored.name).read_bytes() == MP4


def test_destruction_date_must_be_today_or_later_within_the_limit(db_ctx, app):
    today = worker.school_today()
    app.config["COACHING_MAX_DAYS"] = 30
    assert service.destroy_on_problem(today, today) is None
    assert service.destroy_on_problem(today + timedelta(days=30), today) is None
    assert service.destroy_on_problem(today - timedelta(days=1), today)
    assert "30" in str(service.destroy_on_problem(today + timedelta(days=31), today))


def test_destroying_twice_writes_one_record(app):
    item_id, name = _add(app, TEACHER, 5)
    with app.app_context(), db.connection_context():
        item = CoachingMedia.get_by_id(item_id)
        teacher = User.by_email(TEACHER)
        assert service.destroy_early(item, teacher) is not None
        assert service.destroy_early(item, teacher) is None  # e.g. the purge, a moment later
        assert DestructionRecord.select().count() == 1
    assert name not in _files(app)


def test_orphaned_files_are_destroyed_after_the_grace_time(app):
    _id, kept = _add(app, TEACHER, 5)
    with app.app_context(), db.connection_context():
        orphan = media.store_bytes(COACHING_AREA, MP4, "mov", "video/mp4", "x.mp4").name
        fresh = media.store_bytes(COACHING_AREA, MP4, "mov", "video/mp4", "y.mp4").name
        old = time.time() - 2 * 3600
        for name in (orphan, kept):
            os.utime(media.path_of(COACHING_AREA, name), (old, old))
        assert service.destroy_orphans() == 1
    assert orphan not in _files(app) and {kept, fresh} <= set(_files(app))


# --- who may see it -----------------------------------------------------------------------

def test_parents_are_refused_everywhere(app, parent):
    item_id, _name = _add(app, TEACHER, 5, group="Groep 1/2A")
    for url in ["/coaching", "/coaching/new", f"/coaching/{item_id}", f"/coaching/{item_id}/file",
                f"/coaching/{item_id}/download", "/coaching/destroyed"]:
        assert parent.get(url).status_code in (403, 404), url
    assert parent.post(f"/coaching/{item_id}/destroy", data={"confirm": "y"}).status_code in (
        400, 403, 404)
    assert "Coaching" not in parent.get("/").get_data(as_text=True)
    _still_there(app, item_id)


def test_logged_out_visitors_go_to_login(app, client):
    item_id, _name = _add(app, TEACHER, 5)
    for url in ["/coaching", f"/coaching/{item_id}", f"/coaching/{item_id}/file"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post(f"/coaching/{item_id}/destroy").status_code in (400, 401)
    _still_there(app, item_id)


def test_staff_of_another_group_get_404(app, login_as):
    item_id, _name = _add(app, TEACHER, 5, group="Groep 1/2A", title="Rekenles Sanne")
    ahmed = login_as(OTHER_TEACHER)
    assert "Rekenles Sanne" not in ahmed.get("/coaching").get_data(as_text=True)
    for url in [f"/coaching/{item_id}", f"/coaching/{item_id}/file",
                f"/coaching/{item_id}/download", "/coaching/99999999999999999999"]:
        assert ahmed.get(url).status_code == 404, url
    page = ahmed.get("/coaching/new").get_data(as_text=True)
    response = ahmed.post(f"/coaching/{item_id}/destroy",
                          data={"confirm": "y", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 404
    _still_there(app, item_id)


def test_the_circle_is_the_uploader_the_groups_staff_and_admins(app, teacher, admin, login_as):
    group_item, _ = _add(app, ADMIN, 5, group="Groep 1/2A", title="Observatie kleuters")
    own_item, _ = _add(app, OTHER_TEACHER, 5, title="Eigen les Ahmed")
    listed = teacher.get("/coaching").get_data(as_text=True)
    assert "Observatie kleuters" in listed and "Eigen les Ahmed" not in listed
    assert teacher.get(f"/coaching/{group_item}").status_code == 200
    assert teacher.get(f"/coaching/{own_item}").status_code == 404
    assert login_as(OTHER_TEACHER).get(f"/coaching/{own_item}").status_code == 200
    everything = admin.get("/coaching").get_data(as_text=True)
    assert "Observatie kleuters" in everything and "Eigen les Ahmed" in everything


def test_staff_see_the_menu_item(teacher, parent):
    assert 'href="/coaching"' in teacher.get("/").get_data(as_text=True)
    assert 'href="/coaching"' not in parent.get("/").get_data(as_text=True)


# --- uploading ----------------------------------------------------------------------------

def _upload(client, data=MP4, filename="les.mp4", headers=None, **fields):
    """Post the upload form with a fresh CSRF token."""
    token = csrf_token_from(client.get("/coaching/new").get_data(as_text=True))
    form = {"title": "Instructie rekenen", "purpose": "Coachingstraject juf Sanne",
            "group": "", "destroy_on": "", "csrf_token": token, **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post("/coaching/new", data=form, headers=headers or {},
                       content_type="multipart/form-data")


def _in(app, days):
    return (_today(app) + timedelta(days=days)).isoformat()


def test_upload_page_asks_for_a_destruction_date(teacher, app):
    html = teacher.get("/coaching/new").get_data(as_text=True)
    assert 'name="destroy_on"' in html and 'type="date"' in html
    assert f'max="{_in(app, 365)}"' in html and f'min="{_in(app, 0)}"' in html


def test_upload_stores_the_video_and_shows_it_to_the_circle(app, teacher, groups):
    group_id = str(groups["Groep 1/2A"].id)
    response = _upload(teacher, destroy_on=_in(app, 21), group=group_id)
    assert response.status_code == 302
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "Instructie rekenen" in page and "<video" in page and "Groep 1/2A" in page
    with app.app_context(), db.connection_context():
        item = CoachingMedia.get()
        assert item.mimetype == "video/mp4" and item.group_id == groups["Groep 1/2A"].id
        assert item.scheduled_by.email == TEACHER
    assert _files(app) == [item.file_name]
    served = teacher.get(f"/coaching/{item.id}/file")
    assert served.data == MP4 and served.mimetype == "video/mp4"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    download = teacher.get(f"/coaching/{item.id}/download")
    assert download.headers["Content-Disposition"] == "attachment; filename=les.mp4"


def test_a_photo_upload_shows_an_image(app, teacher):
    response = _upload(teacher, data=_jpeg_with_gps(), filename="foto.jpg",
                       destroy_on=_in(app, 7))
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "<img" in page and 'alt="Foto: Instructie rekenen"' in page


def test_upload_with_htmx_redirects_the_window(app, teacher):
    response = _upload(teacher, destroy_on=_in(app, 7), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/coaching/")


@pytest.mark.parametrize(("fields", "data", "filename", "message"), [
    ({}, MP4, "les.mp4", "Kies de dag waarop"),
    ({"destroy_on": "morgen"}, MP4, "les.mp4", "Kies een datum"),
    ({"destroy_on": -1}, MP4, "les.mp4", "vandaag of een dag in de toekomst"),
    ({"destroy_on": 366}, MP4, "les.mp4", "hoogstens 365 dagen"),
    ({"destroy_on": 7}, HTML, "les.mp4", "niet geaccepteerd"),
    ({"destroy_on": 7}, b"%PDF-1.7 not footage", "les.pdf", "niet geaccepteerd"),
    ({"destroy_on": 7}, HEIC, "foto.heic", "niet geaccepteerd"),
    ({"destroy_on": 7}, b"", "leeg.mp4", "leeg"),
    ({"destroy_on": 7}, None, "", "Kies een foto of een video"),
    ({"destroy_on": 7}, MP4 + bytes(1024 * 1024), "groot.mp4", "groter dan 1 MB"),
    ({"destroy_on": 7, "title": " "}, MP4, "les.mp4", "Vul een titel in"),
    ({"destroy_on": 7, "group": "999999"}, MP4, "les.mp4", "Kies een van je groepen"),
])
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_stored(
        app, teacher, fields, data, filename, message):
    app.config["COACHING_MAX_MB"] = 1
    if isinstance(fields.get("destroy_on"), int):
        fields = {**fields, "destroy_on": _in(app, fields["destroy_on"])}
    response = _upload(teacher, data=data, filename=filename, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html or message in html.replace("&#39;", "'"), html[-3000:]
    with app.app_context(), db.connection_context():
        assert CoachingMedia.select().count() == 0
    assert _files(app) == []


def test_a_refused_upload_with_htmx_gets_the_form_alone(app, teacher):
    response = _upload(teacher, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert 'id="coaching-upload"' in html and "field__error" in html


def test_another_groups_id_is_not_accepted(app, teacher, groups):
    response = _upload(teacher, destroy_on=_in(app, 7), group=str(groups["Groep 5"].id))
    assert response.status_code == 422 and _files(app) == []


# --- destroying early ---------------------------------------------------------------------

def _destroy(client, item_id, headers=None, **fields):
    token = csrf_token_from(client.get(f"/coaching/{item_id}").get_data(as_text=True))
    return client.post(f"/coaching/{item_id}/destroy", data={"csrf_token": token, **fields},
                       headers=headers or {})


def _still_there(app, item_id):
    with app.app_context(), db.connection_context():
        item = CoachingMedia.get_by_id(item_id)
    assert item.file_name in _files(app)


def test_destroying_needs_the_box_ticked(app, teacher):
    item_id, _name = _add(app, TEACHER, 30)
    response = _destroy(teacher, item_id)
    assert response.status_code == 422 and "Vink het vakje aan" in response.get_data(as_text=True)
    fragment = _destroy(teacher, item_id, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and "<html" not in html and 'id="coaching-destroy"' in html
    _still_there(app, item_id)


def test_destroying_early_removes_the_file_and_records_who(app, teacher, login_as):
    item_id, name = _add(app, TEACHER, 30, title="Weg ermee")
    response = _destroy(teacher, item_id, confirm="y")
    assert response.status_code == 302 and response.headers["Location"] == "/coaching/destroyed"
    assert name not in _files(app)
    assert teacher.get(f"/coaching/{item_id}").status_code == 404
    assert teacher.get(f"/coaching/{item_id}/file").status_code == 404
    records = teacher.get("/coaching/destroyed").get_data(as_text=True)
    assert "Weg ermee" in records and "eerder, door juf Sanne" in records
    assert "Weg ermee" not in login_as(OTHER_TEACHER).get("/coaching/destroyed").get_data(
        as_text=True)


def test_destroying_early_with_htmx_redirects_the_window(app, teacher):
    item_id, name = _add(app, TEACHER, 30)
    response = _destroy(teacher, item_id, headers={"HX-Request": "true"}, confirm="y")
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/coaching/destroyed"
    assert name not in _files(app)


# --- the purge ----------------------------------------------------------------------------

def _assert_purged(app, client, due, kept):
    """Due footage is gone from disk, database and every page; the rest is untouched."""
    files = _files(app)
    listed = client.get("/coaching").get_data(as_text=True)
    with app.app_context(), db.connection_context():
        left = {row.id for row in CoachingMedia.select()}
        records = list(DestructionRecord.select().order_by(DestructionRecord.id))
    for item_id, name in due:
        assert not media_path(app, name).exists() and name not in files
        assert item_id not in left
        for url in [f"/coaching/{item_id}", f"/coaching/{item_id}/file",
                    f"/coaching/{item_id}/download"]:
            assert client.get(url).status_code == 404, url
        assert f'href="/coaching/{item_id}"' not in listed
    for item_id, name in kept:
        assert name in files and item_id in left
        assert client.get(f"/coaching/{item_id}/file").status_code == 200
    assert [(r.reason, r.scheduled_by_name, r.destroyed_by_name) for r in records] == [
        ("due", "juf Sanne", "")] * len(due)
    assert all(r.scheduled_by.email == TEACHER for r in records)
    return records


def media_path(app, name):
    return _folder(app) / name


def test_flask_purge_destroys_due_footage_and_records_it(app, teacher):
    due = [_add(app, TEACHER, -3, title="Oud"), _add(app, TEACHER, 0, data=WEBM, title="Vandaag")]
    kept = [_add(app, TEACHER, 1, title="Morgen"), _add(app, TEACHER, 200, data=MOV)]
    with app.app_context(), db.connection_context():
        assert retention.count_due(service.CoachingRetention.rule, worker.school_today()) == 2
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Retention coaching: removed 2." in result.output
    records = _assert_purged(app, teacher, due, kept)
    assert [r.title for r in records] == ["Oud", "Vandaag"]
    page = teacher.get("/coaching/destroyed").get_data(as_text=True)
    assert "Oud" in page and "Vandaag" in page and "op de vastgestelde datum" in page


def test_the_workers_daily_job_purges_too(app, teacher):
    due = [_add(app, TEACHER, -1)]
    kept = [_add(app, TEACHER, 3)]
    with app.app_context(), db.connection_context():
        assert "retention_purge" in worker.run_daily_jobs()
    _assert_purged(app, teacher, due, kept)


def test_the_retention_page_rule_is_registered(app):
    from schoolportal.core import retention

    assert "coaching" in retention.RULES
