"""Photos off the request: checked at upload, processed by the worker, states and paging."""

import io
import re

from schoolportal.albums import processing, service
from schoolportal.albums.models import Album, Photo
from schoolportal.core import media
from schoolportal.core.models import Group, User
from tests.albums.test_albums import HTMX, _photo_files, _upload
from tests.albums.test_photo_pipeline import jpeg
from tests.support.web import TEACHER, run_worker


def _album(photo_count=0, ready=True):
    """An album of juf Sanne in Groep 1/2A; returns (album id, photo ids)."""
    teacher = User.by_email(TEACHER)
    album = service.create_album(teacher, "Sportdag", group=Group.get(Group.name == "Groep 1/2A"))
    added = service.add_photos(album, teacher, [(f"{n}.jpg", io.BytesIO(jpeg()))
                                                for n in range(photo_count)])
    if ready:
        processing.process_now(added)
    return album.id, [p.id for p in added]


def _damaged_jpeg():
    """A JPEG that passes the quick check (header, size, end marker) but does not decode:
    its Huffman table (read only by the decoder) counts more codes than there can be."""
    data = bytearray(jpeg((800, 600)))
    table = data.find(b"\xff\xc4") + 5  # marker, length, class/id: then 16 counts
    data[table:table + 16] = b"\xff" * 16
    return bytes(data)


def test_an_upload_is_kept_as_it_came_and_the_worker_makes_the_variants(app, ctx, teacher,
                                                                        parent):
    album_id, _ids = ctx(_album)
    response = _upload(teacher, album_id, [("a.jpg", jpeg((1600, 1200))), ("b.jpg", jpeg())])
    assert response.status_code == 302
    assert ctx(lambda: [p.state for p in Photo.select()]) == ["waiting", "waiting"]
    assert _photo_files(app) == [] and len(_photo_files(app, "photo_uploads")) == 2
    page = teacher.get(f"/albums/{album_id}").get_data(as_text=True)
    assert "2 foto's worden verwerkt" in page and "0 van 2 verwerkt" in page
    assert 'hx-trigger="every 2s"' in page and "Pagina opnieuw laden" in page
    assert "wordt verwerkt" not in parent.get(f"/albums/{album_id}").get_data(as_text=True)
    run_worker(app)  # one worker round (the ROUND_JOB) does them
    assert ctx(lambda: [p.state for p in Photo.select()]) == ["ready", "ready"]
    assert ctx(lambda: Photo.select().order_by(Photo.id).first().width_list) == [320, 640, 1280]
    assert _photo_files(app, "photo_uploads") == [] and len(_photo_files(app)) == 12
    polled = teacher.get(f"/albums/{album_id}?part=processing", headers=HTMX)
    html = polled.get_data(as_text=True)
    assert "<html" not in html and "Alle foto's zijn verwerkt." in html
    assert "hx-trigger" not in html  # done: the polling stops
    assert parent.get(f"/albums/{album_id}").get_data(as_text=True).count(
        'class="albums-grid__item') == 2


def test_the_polled_region_shows_progress_while_photos_wait(app, ctx, teacher):
    album_id, _ids = ctx(_album, 3, ready=False)
    ctx(processing.process_waiting, 1)
    html = teacher.get(f"/albums/{album_id}?part=processing", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and 'id="albums-processing"' in html
    assert "1 van 3 verwerkt" in html and '<progress max="3" value="1">' in html
    assert html.count("wordt verwerkt") >= 2 and 'hx-trigger="every 2s"' in html
    # Without JavaScript: a plain reload of the album shows the same.
    full = teacher.get(f"/albums/{album_id}").get_data(as_text=True)
    assert "<html" in full and "2 foto's worden verwerkt" in full
    # The polled address opened as a page (a reload, a bookmark): the whole album.
    plain = teacher.get(f"/albums/{album_id}?part=processing")
    assert plain.status_code == 200 and "2 foto's worden verwerkt" in plain.get_data(as_text=True)


def test_a_file_that_does_not_decode_after_all_is_marked_and_can_be_deleted(app, ctx, teacher):
    album_id, _ids = ctx(_album)
    response = _upload(teacher, album_id, [("kapot.jpg", _damaged_jpeg())])
    assert response.status_code == 302  # the quick check cannot see inside the data
    run_worker(app)
    [photo] = ctx(lambda: list(Photo.select()))
    assert photo.state == "failed" and _photo_files(app, "photo_uploads") == []
    page = teacher.get(f"/albums/{album_id}").get_data(as_text=True)
    assert "kon niet worden verwerkt" in page and "hx-trigger" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    deleted = teacher.post(f"/albums/photos/{photo.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302 and ctx(Photo.select().count) == 0


def test_two_workers_never_process_the_same_photo(app, ctx):
    album_id, [photo_id] = ctx(_album, 1, ready=False)
    now = processing.utcnow()
    assert ctx(lambda: processing._claim(photo_id, now)) is not None
    assert ctx(lambda: processing._claim(photo_id, now)) is None  # held by the first
    assert ctx(processing.process_waiting) == 0


def test_a_photo_deleted_while_the_worker_worked_leaves_no_files(app, ctx):
    album_id, [photo_id] = ctx(_album, 1, ready=False)

    def delete_then_finish():
        photo = processing._claim(photo_id, processing.utcnow())
        service.delete_album(Album.get_by_id(album_id))
        media.write("photo_uploads", photo.upload_name, jpeg())  # as if read before the delete
        processing.process(photo)

    ctx(delete_then_finish)
    assert _photo_files(app) == [] and _photo_files(app, "photo_uploads") == []


def test_waiting_photos_are_in_no_parent_query_and_no_file_route(ctx, parent, teacher):
    album_id, [photo_id] = ctx(_album, 1, ready=False)
    for url in (f"/albums/photos/{photo_id}", f"/albums/photos/{photo_id}/download",
                f"/albums/photos/{photo_id}/320.webp"):
        assert parent.get(url).status_code == 404, url
        assert teacher.get(url).status_code == 404, url  # nothing to show yet
    cards = parent.get("/albums").get_data(as_text=True)
    assert "Sportdag" in cards and "0 foto's" in cards


def test_albums_are_paged_with_htmx_load_more_and_plain_links(ctx, teacher, parent):
    def many():
        album_id, [first] = _album(1)
        original = Photo.get_by_id(first)
        Photo.insert_many([{"album": album_id, "stem": f"{n:032x}", "widths": original.widths,
                            "width": original.width, "height": original.height,
                            "position": 10 + n, "checked_at": processing.utcnow()}
                           for n in range(service.PAGE_SIZE + 5)]).execute()
        return album_id

    from tests.support.weight import LIMIT, first_load_bytes

    album_id = ctx(many)
    assert first_load_bytes(parent, f"/albums/{album_id}") <= LIMIT  # 125 photos were 87 KB
    page = parent.get(f"/albums/{album_id}").get_data(as_text=True)
    assert page.count('class="albums-grid__item') == service.PAGE_SIZE
    assert f"{service.PAGE_SIZE + 6} foto's" in page
    more = re.search(r'<li class="albums-grid__more"><a [^>]*href="([^"]+)"', page)
    assert more and 'hx-trigger="revealed"' in page
    url = more.group(1).replace("&amp;", "&")
    fragment = parent.get(url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.count('class="albums-grid__item') == 6
    assert "albums-grid__more" not in fragment  # the last page
    plain = parent.get(url).get_data(as_text=True)  # without JavaScript: a page of its own
    assert "<html" in plain and plain.count('class="albums-grid__item') == 6
    assert "Terug naar de eerste foto's" in plain
    assert parent.get(f"/albums/{album_id}?after=nonsense").status_code == 200


def test_the_album_list_is_paged_and_a_group_page_shows_the_newest(ctx, parent):
    from schoolportal.views.albums.browse import ALBUMS_PER_PAGE, SPACE_ALBUMS

    def many():
        teacher = User.by_email(TEACHER)
        group = Group.get(Group.name == "Groep 1/2A")
        for n in range(ALBUMS_PER_PAGE + 2):
            service.create_album(teacher, f"Uitje {n:02d}", group=group)

    ctx(many)
    page = parent.get("/albums").get_data(as_text=True)
    assert page.count('class="albums-card"') == ALBUMS_PER_PAGE and "Uitje 25" in page
    assert 'href="/albums?page=2"' in page and 'hx-trigger="revealed"' in page
    more = parent.get("/albums?page=2", headers=HTMX).get_data(as_text=True)
    assert "<html" not in more and more.count('class="albums-card"') >= 2
    assert "Uitje 00" in more and "albums-cards__more" not in more
    plain = parent.get("/albums?page=2").get_data(as_text=True)
    assert "<html" in plain and "Terug naar de nieuwste albums" in plain
    assert parent.get("/albums?page=x").status_code == 200
    cards = ctx(lambda: service.albums_of_space(User.by_email(TEACHER),
                                                Group.get(Group.name == "Groep 1/2A"),
                                                limit=SPACE_ALBUMS))
    assert [c.album.title for c in cards] == ["Uitje 25", "Uitje 24", "Uitje 23", "Uitje 22"]
