"""A feed with pictures: photos from the post editor, shown in the feed, held back by consent."""

import io
import re

from schoolportal.albums import processing
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.consent.models import Consent, ConsentCategory
from schoolportal.core.models import Group, Pupil
from schoolportal.feed.models import Post
from tests.albums.test_photo_pipeline import jpeg
from tests.support.browser import PHONE, log_in
from tests.support.web import PARENT, TWO_GROUP_PARENT, csrf_token_from

HTMX = {"HX-Request": "true"}


def consent(pupil_id, granted):
    """Give or refuse one child consent for photos in the group's closed portal."""
    category = ConsentCategory.get((ConsentCategory.space == "group")
                                   & (ConsentCategory.active == True))  # noqa: E712
    Consent.insert(pupil=pupil_id, category=category, granted=granted).on_conflict(
        conflict_target=[Consent.pupil, Consent.category],
        update={Consent.granted: granted}).execute()


def class_children(count=3):
    """Pupils of Groep 1/2A other than Sem (ouder.jansen's child), by id."""
    return [p.id for p in Pupil.select().join(Group).where(
        (Group.name == "Groep 1/2A") & (Pupil.pupil_number != "RB-1001"))
        .order_by(Pupil.id).limit(count)]


def post_with_photos(client, ctx, group_id, count=3, process=True):
    """juf Sanne writes a post with `count` photos (processed by a worker round unless
    `process` is false); returns (post id, photo ids)."""
    token = csrf_token_from(client.get("/posts/new").get_data(as_text=True))
    response = client.post("/posts/new", content_type="multipart/form-data", data={
        "csrf_token": token, "audience": [str(group_id)], "title": "Herfstwandeling",
        "kind": "report", "body": "We liepen door het bos.", "when": "now",
        "photos": [(io.BytesIO(jpeg(colour=("green", "blue", "red")[n % 3])), f"foto{n}.jpg")
                   for n in range(count)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    post_id = ctx(lambda: Post.select().where(Post.title == "Herfstwandeling").get().id)
    assert response.headers["Location"].endswith(f"/posts/{post_id}/edit#albums-processing")
    photos = ctx(lambda: [p.id for p in Photo.select().join(Album).where(Album.post == post_id)
                          .order_by(Photo.position)])
    if process:  # what the worker's next round does
        ctx(processing.process_waiting)
    return post_id, photos


def tag_in_editor(client, post_id, tags):
    """Tick who is in each photo in the post editor, {photo id: [pupil ids]}, and save."""
    html = client.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "title": "Herfstwandeling", "kind": "report",
            "body": "We liepen door het bos.", "photo": [str(p) for p in tags]}
    for photo_id, pupils in tags.items():
        assert f'name="tags-{photo_id}"' in html  # the editor offers the tag boxes
        data[f"tags-{photo_id}"] = [str(p) for p in pupils]
    response = client.post(f"/posts/{post_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


def shown_photos(html, photo_ids):
    """The photos of the post whose picture the page shows."""
    return [p for p in photo_ids if re.search(rf'src="/albums/photos/{p}/\d+\.jpg"', html)]


def test_three_photos_show_and_one_of_a_child_without_consent_is_held_back(
        ctx, teacher, parent, groups):
    group = groups["Groep 1/2A"]
    post_id, photos = post_with_photos(teacher, ctx, group.id)
    assert len(photos) == 3
    children = ctx(class_children)
    for child in children:
        ctx(consent, child, True)
    tag_in_editor(teacher, post_id, dict(zip(photos, [[c] for c in children], strict=True)))
    assert ctx(lambda: PhotoTag.select().count()) >= 3

    feed = parent.get("/feed").get_data(as_text=True)
    assert shown_photos(feed, photos) == photos  # all three, as images opening the viewer
    for photo_id in photos:
        assert f'href="/albums/photos/{photo_id}"' in feed
    assert 'srcset="/albums/photos/' in feed and "klas.webp" not in feed

    ctx(consent, children[2], False)  # the third child's parents say no
    feed = parent.get("/feed").get_data(as_text=True)
    assert shown_photos(feed, photos) == photos[:2]
    assert parent.get(f"/albums/photos/{photos[2]}").status_code == 404
    assert parent.get(f"/albums/photos/{photos[2]}/320.jpg").status_code == 404
    post_page = parent.get(f"/posts/{post_id}").get_data(as_text=True)
    assert shown_photos(post_page, photos) == photos[:2]

    staff_view = teacher.get("/feed").get_data(as_text=True)
    assert shown_photos(staff_view, photos) == photos
    assert "Niet zichtbaar voor ouders" in staff_view



def test_the_home_card_shows_each_new_posts_first_photo_the_reader_may_see(
        ctx, teacher, parent, other_parent, groups):
    """The home page's news card: the first photo this reader may see and how many, read
    with the posts in one statement; a photo held back for a parent is not their first."""
    post_id, photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=3)
    child = ctx(class_children)[0]
    ctx(consent, child, False)
    tag_in_editor(teacher, post_id, {photos[0]: [child], photos[1]: [], photos[2]: []})

    def card(client):
        html = client.get("/").get_data(as_text=True)
        return html[html.index('id="feed-home-heading"'):html.index("</section>",
                                                                    html.index('feed-home-heading'))]

    for_parent = card(parent)
    assert f'href="/posts/{post_id}"' in for_parent
    assert shown_photos(for_parent, photos) == [photos[1]] and "2 foto's" in for_parent
    for_staff = card(teacher)
    assert shown_photos(for_staff, photos) == [photos[0]] and "3 foto's" in for_staff
    for_other = card(other_parent)  # Groep 5 only: neither the post nor its photos
    assert f'href="/posts/{post_id}"' not in for_other and shown_photos(for_other, photos) == []


def test_a_posts_photos_are_processed_by_the_worker_while_the_editor_shows_progress(
        ctx, teacher, parent, groups):
    """The request only checks and stores; the editor shows how far the worker is (polled by
    htmx, a plain reload without JavaScript) and offers the tag boxes once a photo is ready;
    parents see a photo only then."""
    post_id, photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, process=False)
    assert ctx(lambda: {p.state for p in Photo.select()}) == {"waiting"}
    editor = teacher.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "3 foto's worden verwerkt" in editor and 'name="tags-' not in editor
    assert f'hx-get="/posts/{post_id}/edit?part=processing"' in editor
    assert shown_photos(parent.get("/feed").get_data(as_text=True), photos) == []

    ctx(processing.process_waiting, 1)
    polled = teacher.get(f"/posts/{post_id}/edit?part=processing",
                         headers=HTMX).get_data(as_text=True)
    assert "<html" not in polled and "1 van 3 verwerkt" in polled
    plain = teacher.get(f"/posts/{post_id}/edit?part=processing")  # no htmx: the whole editor
    assert plain.status_code == 200 and "<html" in plain.get_data(as_text=True)

    ctx(processing.process_waiting)
    polled = teacher.get(f"/posts/{post_id}/edit?part=processing",
                         headers=HTMX).get_data(as_text=True)
    assert "Alle foto's zijn verwerkt" in polled and "hx-trigger" not in polled
    assert f'href="/posts/{post_id}/edit#feed-photos"' in polled
    editor = teacher.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert all(f'name="tags-{p}"' in editor for p in photos) and "worden verwerkt" not in editor
    assert shown_photos(parent.get("/feed").get_data(as_text=True), photos) == photos
    assert parent.get(f"/posts/{post_id}/edit?part=processing", headers=HTMX).status_code in (
        403, 404)


def test_a_post_photo_that_does_not_decode_is_shown_as_failed_and_deleted_from_the_editor(
        ctx, teacher, groups):
    from tests.albums.test_processing import _damaged_jpeg

    token = csrf_token_from(teacher.get("/posts/new").get_data(as_text=True))
    response = teacher.post("/posts/new", content_type="multipart/form-data", data={
        "csrf_token": token, "audience": [str(groups["Groep 1/2A"].id)], "title": "Kapot",
        "kind": "report", "body": "Een foto die niet lukt.", "when": "now",
        "photos": [(io.BytesIO(_damaged_jpeg()), "kapot.jpg")]})
    assert response.status_code == 302  # the quick check cannot see inside the data
    ctx(processing.process_waiting)
    post_id = ctx(lambda: Post.get(Post.title == "Kapot").id)
    [photo] = ctx(lambda: list(Photo.select()))
    assert photo.state == "failed"
    editor = teacher.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "kon niet worden verwerkt" in editor and "hx-trigger" not in editor
    form = editor[editor.index(f'action="/albums/photos/{photo.id}/delete"'):]
    token = csrf_token_from(form)
    foreign = teacher.post(f"/albums/photos/{photo.id}/delete",
                           data={"csrf_token": token, "next": "//evil.example/"})
    assert foreign.status_code == 302  # deleted, and a foreign `next` is not followed
    assert foreign.headers["Location"] == f"/albums/{photo.album_id}"
    assert ctx(lambda: Photo.select().count()) == 0

    again = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=1, process=False)
    ctx(lambda: Photo.update(state="failed").execute())
    editor = teacher.get(f"/posts/{again[0]}/edit").get_data(as_text=True)
    back = teacher.post(f"/albums/photos/{again[1][0]}/delete", data={
        "csrf_token": csrf_token_from(editor), "next": f"/posts/{again[0]}/edit"})
    assert back.status_code == 302 and back.headers["Location"] == f"/posts/{again[0]}/edit"

def test_more_than_four_photos_show_four_and_how_many_more(ctx, teacher, parent, groups):
    post_id, photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=6)
    feed = parent.get("/feed").get_data(as_text=True)  # untagged photos show (not checked)
    assert shown_photos(feed, photos) == photos[:4]
    assert "+2" in feed


def test_a_refused_photo_refuses_the_post_and_stores_nothing(ctx, teacher, groups):
    token = csrf_token_from(teacher.get("/posts/new").get_data(as_text=True))
    response = teacher.post("/posts/new", content_type="multipart/form-data", data={
        "csrf_token": token, "audience": [str(groups["Groep 1/2A"].id)], "title": "Kapot",
        "kind": "message", "body": "Tekst", "when": "now",
        "photos": [(io.BytesIO(b"not an image"), "kapot.jpg")]})
    assert response.status_code == 422
    assert "kapot.jpg" in response.get_data(as_text=True)
    assert ctx(lambda: Post.select().where(Post.title == "Kapot").count()) == 0


def test_the_editor_refuses_nobody_next_to_a_child(ctx, teacher, groups):
    post_id, photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=1)
    html = teacher.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    response = teacher.post(f"/posts/{post_id}/edit", data={
        "csrf_token": csrf_token_from(html), "title": "Herfstwandeling", "kind": "report",
        "body": "We liepen door het bos.", "photo": str(photos[0]),
        f"tags-{photos[0]}": ["nobody", str(ctx(class_children)[0])]})
    assert response.status_code == 422
    assert ctx(lambda: PhotoTag.select().where(PhotoTag.photo == photos[0]).count()) == 0


def test_in_the_browser_a_parent_sees_exactly_the_photos_with_consent(
        app, ctx, teacher, groups, new_page):
    post_id, photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id)
    children = ctx(class_children)
    for child in children:
        ctx(consent, child, True)
    ctx(consent, children[2], False)
    tag_in_editor(teacher, post_id, dict(zip(photos, [[c] for c in children], strict=True)))

    page = new_page(viewport=PHONE)
    log_in(page, PARENT)
    page.goto("/feed")
    pictures = page.locator(f"#feed-post-{post_id} .post-photos img")
    assert pictures.count() == 2
    pictures.last.scroll_into_view_if_needed()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('#feed-post-{post_id} .post-photos img')]"
        ".every(img => img.complete && img.naturalWidth > 0)")
    assert page.errors == []
    pictures.first.click()
    page.wait_for_url(f"**/albums/photos/{photos[0]}")
    page.locator(".albums-viewer img").wait_for()


def test_react_opens_the_form_in_place_and_links_to_the_post_without_javascript(
        ctx, teacher, parent, new_page, groups):
    post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=1)
    html = parent.get("/feed").get_data(as_text=True)
    assert html.count('class="feed-comment-form"') == 0  # no open forms in the feed
    match = re.search(r'href="(/posts/(\d+)#feed-comment-form-\d+)" hx-get="(/posts/\d+/'
                      r'comment-form)"', html)
    assert match, "a React link with a real href"
    plain = parent.get(match.group(3))
    assert plain.status_code == 302 and plain.headers["Location"].endswith(match.group(1))
    fragment = parent.get(match.group(3), headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'class="feed-comment-form"' in fragment

    page = new_page(viewport=PHONE)
    log_in(page, PARENT)
    page.goto("/feed")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    post = page.locator(f"#feed-post-{match.group(2)}")
    post.get_by_role("link", name=re.compile("Reageren")).click()
    field = post.locator("textarea[name=body]")
    field.wait_for()
    field.fill("Wat mooi!")
    post.locator("button[type=submit]").click()
    post.locator(".feed-comment__body", has_text="Wat mooi!").wait_for()
    assert page.errors == []

    plain_page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(plain_page, PARENT)
    plain_page.goto("/feed")
    plain_page.locator(f"#feed-post-{match.group(2)}").get_by_role(
        "link", name=re.compile("Reageren")).click()
    plain_page.wait_for_url(f"**/posts/{match.group(2)}*")
    plain_page.locator("textarea[name=body]").fill("Zonder JavaScript")
    plain_page.locator(".feed-comment-form button[type=submit]").click()
    plain_page.locator(".feed-comment__body", has_text="Zonder JavaScript").wait_for()


def test_feed_shows_two_latest_reactions_and_all_n_and_folds_long_posts(
        ctx, teacher, parent, login_as, groups):
    post_id, _photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=1)
    for client, text in ((parent, "Mooi!"), (login_as(TWO_GROUP_PARENT), "Leuk!"),
                         (teacher, "Dank jullie wel!")):
        page = client.get(f"/posts/{post_id}").get_data(as_text=True)
        client.post(f"/posts/{post_id}/comments",
                    data={"csrf_token": csrf_token_from(page), "body": text})
    html = parent.get("/feed").get_data(as_text=True)
    assert "alle 3 reacties" in html
    assert "Mooi!" not in html and "Leuk!" in html and "Dank jullie wel!" in html
    token = csrf_token_from(teacher.get("/posts/new").get_data(as_text=True))
    long_text = "Een lange zin over de herfstwandeling door het bos. " * 30
    teacher.post("/posts/new", data={
        "csrf_token": token, "audience": [str(groups["Groep 1/2A"].id)], "title": "Lang verhaal",
        "kind": "article", "body": long_text, "when": "now"})
    html = parent.get("/feed").get_data(as_text=True)
    article = html[html.index("Lang verhaal") - 400:]
    assert "feed-post__body--folded" in article[:1500]
    assert "Lees meer" in article[:20000]
