"""Photo consent in a real browser: a withdrawal hides the photo from the other parents at once.

Sem Jansen is in one photo of a Groep 1/2A album; another photo shows nobody. With consent
for the group portal both photos are in the album of another parent of the group; when
ouder.jansen withdraws it on the consent page (htmx swaps the row), that parent's reload
shows only the photo without Sem, and juf Sanne finds the change on her home page. axe
checks the parent's consent page, the staff overview and the category admin page.
"""

import re
import secrets
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.consent import service
from schoolportal.consent.models import ConsentCategory
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil, User, utcnow
from tests.support.browser import PHONE, assert_no_axe_violations, log_in, wait_for_htmx
from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT


def _image_files(app, stem):
    """The 320-pixel WebP and JPEG a real upload would have stored for this stem."""
    folder = Path(app.config["MEDIA_ROOT"]) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    picture = Image.new("RGB", (320, 240), (70, 130, 90))
    picture.save(folder / f"{stem}-320.webp", "WEBP")
    picture.save(folder / f"{stem}-320.jpg", "JPEG")


@pytest.fixture
def album_with_sem(app):
    """A Groep 1/2A album: a photo of Sem, one of nobody; Sem has group-portal consent."""
    with app.app_context(), db.connection_context():
        with write_transaction():
            service.install_default_categories()
            group = Group.get(Group.name == "Groep 1/2A")
            teacher = User.by_email(TEACHER)
            album = Album.create(title="Herfstwandeling", group=group, created_by=teacher)
            photos = []
            for position, caption in enumerate(("Sem bij de eikels", "Het bos")):
                stem = secrets.token_hex(16)
                _image_files(app, stem)
                photos.append(Photo.create(
                    album=album, stem=stem, widths="320", width=320, height=240,
                    caption=caption, position=position, checked_at=utcnow(),
                    checked_by=teacher, uploaded_by=teacher))
            sem = Pupil.get(Pupil.first_name == "Sem")
            PhotoTag.create(photo=photos[0], pupil=sem)
        category = ConsentCategory.get(ConsentCategory.key == "portal_group")
        service.set_choice(sem, category, True, User.by_email(PARENT))
        return {"album": album.id, "tagged": photos[0].id, "untagged": photos[1].id,
                "sem": sem.id, "category": category.id, "group": group.id}


def _real_errors(page):
    """Console errors, without Chromium's notes about 4xx answers the test expects."""
    return [e for e in page.errors if not re.search(r"status of 4\d\d", e)]


def test_withdrawn_consent_hides_the_photo_and_tells_the_teacher(new_page, album_with_sem):
    ids = album_with_sem
    album_url = f"/albums/{ids['album']}"
    tagged, untagged = f"#album-photo-{ids['tagged']}", f"#album-photo-{ids['untagged']}"

    other = new_page(viewport=PHONE)  # parents use their phone
    log_in(other, TWO_GROUP_PARENT, then=album_url)
    assert other.locator(tagged).count() == 1 and other.locator(untagged).count() == 1

    parent = new_page(viewport=PHONE)
    log_in(parent, PARENT, then="/toestemming")
    wait_for_htmx(parent)
    assert_no_axe_violations(parent)
    assert parent.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        "the consent page scrolls sideways on a phone"
    row = parent.locator(f"#consent-row-{ids['sem']}-{ids['category']}")
    parent.evaluate("() => { window.__sameDocument = true; }")
    with parent.expect_response(lambda r: r.request.method == "POST") as posted:
        row.get_by_role("button", name=re.compile("Toestemming intrekken")).click()
    assert posted.value.request.headers.get("hx-request") == "true"
    row = parent.locator(f"#consent-row-{ids['sem']}-{ids['category']}")
    row.get_by_text("je geeft geen toestemming voor Sem").wait_for()
    assert parent.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    assert "Nee" in row.inner_text()
    assert_no_axe_violations(parent)
    assert _real_errors(parent) == []

    other.reload()
    assert other.locator(tagged).count() == 0
    assert other.locator(untagged).count() == 1
    assert _real_errors(other) == []

    teacher = new_page()
    log_in(teacher, TEACHER, then="/")
    panel = teacher.locator("#consent-home")
    assert "Sem Jansen" in panel.inner_text()
    assert "Besloten ouderportaal (groep)" in panel.inner_text()
    assert panel.locator(f'a[href="/albums/photos/{ids["tagged"]}"]').count() == 1
    teacher.goto(f"/toestemming/groep/{ids['group']}")
    assert_no_axe_violations(teacher)
    teacher.emulate_media(media="print")
    assert not teacher.locator("nav.site-nav").is_visible()
    assert teacher.locator("table.consent-table").is_visible()
    assert _real_errors(teacher) == []


def test_without_javascript_the_toggle_posts_and_comes_back(new_page, album_with_sem):
    ids = album_with_sem
    parent = new_page(java_script_enabled=False)
    log_in(parent, PARENT, then="/toestemming")
    row = parent.locator(f"#consent-row-{ids['sem']}-{ids['category']}")
    row.get_by_role("button", name=re.compile("Toestemming intrekken")).click()
    parent.wait_for_load_state()
    assert "je geeft geen toestemming voor Sem" in parent.locator("main").inner_text()
    assert "Nee" in parent.locator(f"#consent-row-{ids['sem']}-{ids['category']}").inner_text()


def test_category_admin_page_has_no_axe_violations(new_page, album_with_sem):
    admin = new_page()
    log_in(admin, ADMIN, then="/toestemming/categorieen")
    assert "Besloten ouderportaal (groep)" in admin.locator("main").inner_text()
    assert_no_axe_violations(admin)
    admin.goto(f"/toestemming/groep/{album_with_sem['group']}")
    assert_no_axe_violations(admin)


def test_the_office_records_a_paper_form_in_the_browser(new_page, album_with_sem):
    admin = new_page()
    log_in(admin, ADMIN, then=f"/toestemming/leerling/{album_with_sem['sem']}")
    assert_no_axe_violations(admin)
    row = admin.locator(f"#consent-row-{album_with_sem['sem']}-{album_with_sem['category']}")
    row.get_by_role("button", name="Toestemming intrekken").click()
    expect(row.locator(".consent-row__note")).to_contain_text("geen toestemming voor Sem")
    assert_no_axe_violations(admin)
