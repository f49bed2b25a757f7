"""Photo albums in Chromium: a teacher uploads and tags, a parent browses on a phone; axe."""

import io

from schoolportal.albums.models import Photo
from schoolportal.core.extensions import db
from schoolportal.core.models import Group
from tests.albums.test_photo_pipeline import jpeg
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    path_of,
    wait_for_htmx,
    wait_for_swap,
)
from tests.support.web import PARENT, TEACHER, run_worker


def _group_id(app, name="Groep 1/2A"):
    with app.app_context(), db.connection_context():
        return Group.get(Group.name == name).id


def _files(tmp_path, count=3):
    """Photo files on disk, as a phone's gallery would hand them over."""
    paths = []
    for n in range(count):
        path = tmp_path / f"IMG_{n:04d}.jpg"
        path.write_bytes(jpeg((1600, 1200), colour=("green", "orange", "purple")[n % 3]))
        paths.append(str(path))
    return paths


def _photo_ids(app):
    with app.app_context(), db.connection_context():
        return [p.id for p in Photo.select().order_by(Photo.position)]


def test_teacher_makes_album_uploads_tags_and_parent_browses_on_a_phone(app, new_page, tmp_path):
    group_id = _group_id(app)
    teacher = new_page(viewport=DESKTOP)
    log_in(teacher, TEACHER, then="/albums")
    assert_no_axe_violations(teacher)
    teacher.get_by_role("link", name="Nieuw album").click()
    form = teacher.locator("form[action='/albums/new']")
    form.locator(f"input[name=space][value='{group_id}']").check()
    form.locator("input[name=title]").fill("Herfstwandeling")
    assert_no_axe_violations(teacher)
    form.locator("button[type=submit]").click()
    teacher.wait_for_url("**/upload")
    assert_no_axe_violations(teacher)
    teacher.locator("input[type=file]").set_input_files(_files(tmp_path))
    teacher.get_by_role("button", name="Uploaden").click()
    teacher.wait_for_url("**/albums/*")
    expect(teacher.locator(".flash--success")).to_contain_text("3 foto's toegevoegd")
    # The worker processes them; the album asks (htmx polling) until they are done.
    processing_region = teacher.locator("#albums-processing")
    expect(processing_region).to_contain_text("3 foto's worden verwerkt")
    expect(processing_region.locator("progress").first).to_be_visible()
    assert_no_axe_violations(teacher)
    run_worker(app)
    expect(processing_region).to_contain_text("Alle foto's zijn verwerkt", timeout=8000)
    processing_region.get_by_role("link", name="Toon ze").click()
    teacher.get_by_role("link", name="3 nog niet gecontroleerde foto's taggen").click()
    teacher.wait_for_url("**/tag")
    assert_no_axe_violations(teacher)
    first, second, third = _photo_ids(app)
    teacher.locator(f"#album-tag-{first} label", has_text="Sem").locator("input").check()
    teacher.locator(f"#album-tag-{second} label", has_text="Niemand herkenbaar").locator(
        "input").check()
    teacher.get_by_role("button", name="Opslaan", exact=True).click()
    teacher.wait_for_url("**/albums/*")
    # Nobody has consent in this test: the photo of Sem is held back, said at once.
    expect(teacher.locator(".flash--error")).to_contain_text("Niet zichtbaar voor ouders")
    expect(teacher.locator(f"#album-photo-{first} .albums-mark--held")).to_be_visible()
    expect(teacher.locator(f"#album-photo-{third}")).to_contain_text("niet gecontroleerd")
    assert_no_axe_violations(teacher)

    teacher.goto(f"/albums/photos/{third}")
    wait_for_htmx(teacher)
    assert_no_axe_violations(teacher)
    tags = teacher.locator("#albums-tags")
    tags.locator("label", has_text="Niemand herkenbaar").locator("input").check()
    tags.get_by_role("button", name="Opslaan wie erop staat").click()
    expect(teacher.locator("#albums-tags .flash--success")).to_be_visible()  # swapped by htmx
    assert path_of(teacher) == f"/albums/photos/{third}"

    album_url = teacher.locator(".back-link a").first.get_attribute("href")
    teacher.goto(album_url)
    teacher.get_by_role("link", name="Titel en beschrijving wijzigen").click()
    teacher.wait_for_url("**/edit")
    assert_no_axe_violations(teacher)

    parent = new_page(viewport=PHONE)
    log_in(parent, PARENT, then="/albums")
    parent.get_by_role("link", name="Herfstwandeling").click()
    expect(parent.locator(f"#album-photo-{first}")).to_have_count(0)
    expect(parent.locator(".albums-grid__item")).to_have_count(2)
    assert_no_axe_violations(parent)
    image = parent.locator(f"#album-photo-{second} img")
    expect(image).to_have_attribute("loading", "lazy")
    parent.wait_for_function(
        f"() => document.querySelector('#album-photo-{second} img').complete")
    assert image.evaluate("img => img.currentSrc").endswith(".webp")
    image.click()
    parent.wait_for_url(f"**/albums/photos/{second}")
    wait_for_swap(parent)
    assert_no_axe_violations(parent)
    parent.get_by_role("link", name="Volgende").click()
    parent.wait_for_url(f"**/albums/photos/{third}")
    assert [e for e in parent.errors + teacher.errors if "status of 422" not in e] == []


def test_viewer_works_without_javascript(app, new_page):
    from schoolportal.albums import processing, service
    from schoolportal.core.models import User

    with app.app_context(), db.connection_context():
        teacher = User.by_email(TEACHER)
        album = service.create_album(teacher, "Sportdag", group=None)
        added = service.add_photos(album, teacher, [(f"{n}.jpg", io.BytesIO(jpeg()))
                                                    for n in range(2)])
        processing.process_now(added)
    first, second = _photo_ids(app)
    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, PARENT, then=f"/albums/photos/{first}")
    page.get_by_role("link", name="Volgende").click()
    page.wait_for_url(f"**/albums/photos/{second}")
    page.get_by_role("link", name="Vorige").click()
    page.wait_for_url(f"**/albums/photos/{first}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden").click()
    assert download.value.suggested_filename.endswith(".jpg")
