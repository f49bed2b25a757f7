"""Family data export: exactly one family's data in the ZIP, for the right people only."""

import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from schoolportal.absence.models import AbsenceReport
from schoolportal.albums.models import Album
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, Group, Pupil, User, utcnow
from schoolportal.feed.models import Comment, Post
from tests.family_data.test_erasure import write_photo
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT, csrf_token_from

HTMX = {"HX-Request": "true"}


def _seed(app):
    """Data of the El Mansouri family, and of the Bakker and Jansen families around them."""
    media_root = app.config["MEDIA_ROOT"]
    nadia, bakker = User.by_email(TWO_GROUP_PARENT), User.by_email(OTHER_PARENT)
    teacher = User.by_email(TEACHER)
    yasmin, adam, sem, lotte = (Pupil.get(Pupil.pupil_number == n)
                                for n in ("RB-1003", "RB-1004", "RB-1001", "RB-1002"))
    today = school_today()
    for pupil, who, note in ((yasmin, nadia, "Yasmin heeft koorts"),
                             (adam, nadia, "Adam naar de orthodontist"),
                             (lotte, bakker, "Lotte heeft griep"),
                             (sem, User.by_email(PARENT), "Sem is ziek")):
        AbsenceReport.create(pupil=pupil, reported_by=who, reason="sick", note=note,
                             starts_on=today, submission_key=secrets.token_hex(8))
    group5, kleuters = Group.get(Group.name == "Groep 5"), Group.get(Group.name == "Groep 1/2A")
    category = ConsentCategory.create(key="test-group", name="Groep", space="group")
    for child in (yasmin, adam, sem, lotte):
        Consent.create(pupil=child, category=category, granted=True)
    ConsentChange.create(pupil=adam, category=category, new_value=True, changed_by=nadia)
    post = Post.create(author=teacher, group=group5, title="Excursie", body="b",
                       body_html="<p>b</p>", published_at=utcnow() - timedelta(hours=1))
    Comment.create(post=post, author=nadia, body="Adam had het naar zijn zin")
    Comment.create(post=post, author=bakker, body="Lotte ook!")
    albums = {g.id: Album.create(title=f"Album {g.name}", group=g) for g in (group5, kleuters)}
    photos = {
        "adam": write_photo(media_root, albums[group5.id], [adam]),
        "adam_lotte": write_photo(media_root, albums[group5.id], [adam, lotte]),
        "yasmin_sem": write_photo(media_root, albums[kleuters.id], [yasmin, sem]),
        "lotte": write_photo(media_root, albums[group5.id], [lotte]),
        "sem": write_photo(media_root, albums[kleuters.id], [sem]),
        "nobody": write_photo(media_root, albums[kleuters.id], []),
    }
    Consent.update(granted=False).where(Consent.pupil == sem.id).execute()  # Sem: held back
    return photos


def _zip_of(response):
    """The downloaded ZIP, opened."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _download(client, page="/account/data", action="/account/data/export"):
    """Press the download button on the page."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token})


def test_export_holds_exactly_this_familys_data(app, login_as):
    with app.app_context(), db.connection_context():
        photos = _seed(app)
    archive = _zip_of(_download(login_as(TWO_GROUP_PARENT)))
    names = set(archive.namelist())
    assert {"profile.json", "children.json", "consent.json", "absences.json", "meetings.json",
            "surveys.json", "messages.json", "comments.json", "photos.json"} <= names
    everything = "".join(archive.read(n).decode() for n in names if n.endswith(".json"))
    children = json.loads(archive.read("children.json"))
    assert [c["first_name"] for c in children] == ["Adam", "Yasmin"]
    assert {c["group"] for c in children} == {"Groep 1/2A", "Groep 5"}
    notes = [r["note"] for r in json.loads(archive.read("absences.json"))["reports"]]
    assert sorted(notes) == ["Adam naar de orthodontist", "Yasmin heeft koorts"]
    comments = json.loads(archive.read("comments.json"))
    assert [c["text"] for c in comments] == ["Adam had het naar zijn zin"]
    assert json.loads(archive.read("profile.json"))["email"] == TWO_GROUP_PARENT
    history = json.loads(archive.read("consent.json"))["history"]
    assert [h["changed_by"] for h in history] == ["Nadia El Mansouri"]
    for stranger in ("Lotte", "Bakker", "Sem", "Jansen", "RB-1001", "RB-1002", "griep",
                     OTHER_PARENT, PARENT):
        assert stranger not in everything, stranger
    # Photos: their children's, except the one held back because Sem has no consent.
    root = Path(app.config["MEDIA_ROOT"]) / "photos"
    photo_files = sorted(n for n in names if n.startswith("photos/"))
    expected = {photos[k].id: photos[k] for k in ("adam", "adam_lotte")}
    assert photo_files == sorted(f"photos/{i}.jpg" for i in expected)
    for photo_id, photo in expected.items():
        largest = photo.file_name(photo.width_list[-1], "jpg")
        assert archive.read(f"photos/{photo_id}.jpg") == (root / largest).read_bytes()
    exported_bytes = {archive.read(n) for n in photo_files}
    for other in ("lotte", "sem", "nobody", "yasmin_sem"):
        for name in photos[other].file_names():
            assert (root / name).read_bytes() not in exported_bytes
    listed = json.loads(archive.read("photos.json"))
    assert [p["your_children_in_it"] for p in listed] == [["Adam"], ["Adam"]]


def test_every_export_is_audited_with_ids_only(app, login_as):
    client = login_as(TWO_GROUP_PARENT)
    _zip_of(_download(client))
    with app.app_context(), db.connection_context():
        entry = AuditEntry.get(AuditEntry.action == "export")
        nadia = User.by_email(TWO_GROUP_PARENT)
        assert (entry.subject_type, entry.subject_id, entry.actor_id) == ("account", nadia.id,
                                                                          nadia.id)
        assert "Mansouri" not in entry.details


def test_admin_finds_a_family_and_exports_it_for_a_request_by_mail(app, admin):
    with app.app_context(), db.connection_context():
        nadia = User.by_email(TWO_GROUP_PARENT)
    page = admin.get("/admin/families?q=yasmin").get_data(as_text=True)
    assert "Nadia El Mansouri" in page and "<html" in page
    fragment = admin.get("/admin/families?q=mansouri", headers=HTMX).get_data(as_text=True)
    assert "Nadia El Mansouri" in fragment and "<html" not in fragment
    family_page = f"/admin/families/{nadia.id}"
    assert "Yasmin El Mansouri" in admin.get(family_page).get_data(as_text=True)
    archive = _zip_of(_download(admin, family_page, f"{family_page}/export"))
    assert json.loads(archive.read("profile.json"))["email"] == TWO_GROUP_PARENT
    with app.app_context(), db.connection_context():
        entry = AuditEntry.get(AuditEntry.action == "export")
        assert entry.actor_role == "admin" and entry.subject_id == nadia.id


def test_parents_and_teachers_reach_no_one_elses_family(app, other_parent, teacher):
    with app.app_context(), db.connection_context():
        nadia = User.by_email(TWO_GROUP_PARENT)
    for client in (other_parent, teacher):
        assert client.get(f"/admin/families/{nadia.id}").status_code == 403
        assert client.get("/admin/families?q=mansouri").status_code == 403
        assert client.post(f"/admin/families/{nadia.id}/export").status_code in (400, 403)
    assert teacher.get("/account/data").status_code == 403
    archive = _zip_of(_download(other_parent))  # no id in the route: always their own
    assert json.loads(archive.read("profile.json"))["email"] == OTHER_PARENT


@pytest.mark.parametrize("guess", [999999, "99999999999999999999"])
def test_admin_guessing_an_account_gets_404(admin, guess):
    assert admin.get(f"/admin/families/{guess}").status_code == 404


def test_admin_cannot_open_a_staff_account_as_a_family(app, admin):
    with app.app_context(), db.connection_context():
        staff = User.by_email(TEACHER)
    assert admin.get(f"/admin/families/{staff.id}").status_code == 404
    assert admin.get(f"/admin/families/{staff.id}/erase").status_code == 404


def test_export_without_a_valid_token_changes_nothing(app, parent):
    response = parent.post("/account/data/export", data={"csrf_token": "nonsense"})
    assert response.status_code in (400, 422)
    with app.app_context(), db.connection_context():
        assert AuditEntry.select().where(AuditEntry.action == "export").count() == 0


def _queries_for_export(app, account):
    """How many SQL statements building the export takes."""
    import logging

    from schoolportal.family_data import export

    statements = []
    handler = logging.Handler()
    handler.emit = lambda record: statements.append(record.getMessage())
    logger = logging.getLogger("peewee")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        export.build(account).close()
    finally:
        logger.removeHandler(handler)
    return len(statements)


def test_export_takes_the_same_number_of_queries_however_much_data(app, db_ctx):
    nadia = User.by_email(TWO_GROUP_PARENT)
    _queries_for_export(app, nadia)  # the process reads the school once (School.current)
    before = _queries_for_export(app, nadia)
    photos = _seed(app)
    album = photos["adam"].album
    for _ in range(5):
        write_photo(app.config["MEDIA_ROOT"], album, [Pupil.get(Pupil.pupil_number == "RB-1004")])
    assert before > 10 and _queries_for_export(app, nadia) == before
