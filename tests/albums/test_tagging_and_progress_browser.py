"""In Chromium: tagging pages draw photos in proportion; an upload shows its progress per photo."""

import time

from schoolportal.albums import processing, service
from schoolportal.core.models import User
from tests.albums.test_albums import _make_album
from tests.albums.test_albums_browser import _files
from tests.support.browser import DESKTOP, PHONE, expect, log_in
from tests.support.web import TEACHER

RATIOS = """() => [...document.querySelectorAll('main img')].map(img => {
  const box = img.getBoundingClientRect();
  return [box.width / box.height, img.naturalWidth / img.naturalHeight, box.width]; })"""


def test_tagging_and_viewer_keep_the_photo_in_proportion(ctx, new_page):
    album_id, photo_ids = ctx(_make_album, "Groep 1/2A", 2)
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        log_in(page, TEACHER)
        for path in (f"/albums/{album_id}/tag", f"/albums/photos/{photo_ids[0]}"):
            page.goto(path)
            page.wait_for_function("() => [...document.querySelectorAll('main img')]"
                                   ".every(img => img.complete && img.naturalWidth > 0)")
            for shown, natural, width in page.evaluate(RATIOS):
                assert abs(shown - natural) / natural < 0.02, (path, viewport, shown, natural)
                assert width <= viewport["width"]
            fits = page.evaluate("[...document.querySelectorAll('main img')].every(img => "
                                 "getComputedStyle(img).objectFit !== 'fill' || "
                                 "Math.abs(img.width / img.height - img.naturalWidth / "
                                 "img.naturalHeight) < 0.02)")
            assert fits, path


def test_upload_shows_a_progress_bar_and_each_photos_state(app, ctx, new_page, tmp_path,
                                                             monkeypatch):
    album_id, _ids = ctx(_make_album, "Groep 1/2A", 0)
    real = service.prepare_uploads

    def slow(uploads):
        time.sleep(1.5)  # as a phone on slow mobile data would wait for the server
        return real(uploads)

    monkeypatch.setattr(service, "prepare_uploads", slow)
    page = new_page(viewport=PHONE)
    log_in(page, TEACHER, then=f"/albums/{album_id}/upload")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    progress = page.locator(".upload-progress")
    assert progress.is_hidden()
    page.locator("input[type=file]").set_input_files(_files(tmp_path, 2))
    page.locator("main button[type=submit]").click()
    progress.wait_for(state="visible")
    files = page.locator(".upload-progress__files li")
    assert files.count() == 2
    page.wait_for_function("() => [...document.querySelectorAll('.upload-progress__files li')]"
                           ".every(li => /wordt verwerkt|geüpload/.test(li.textContent))")
    assert "IMG_0000.jpg" in files.first.inner_text()
    assert page.locator(".upload-progress progress").evaluate("bar => bar.value") > 0
    page.wait_for_url(f"**/albums/{album_id}")
    assert "2 foto's toegevoegd" in page.locator("main").inner_text()
    expect(page.locator("#albums-processing")).to_contain_text("2 foto's worden verwerkt")
    assert page.errors == []
    assert ctx(lambda: len(service.album_photos(User.by_email(TEACHER),
                                                 service.Album.get_by_id(album_id)))) == 0
    assert ctx(lambda: processing.process_waiting()) == 2
    assert ctx(lambda: len(service.album_photos(User.by_email(TEACHER),
                                                 service.Album.get_by_id(album_id)))) == 2
