"""The feed over HTTP: timeline, filters, older posts, reactions, authorization, weight, queries."""

import gzip
import io
import re
from datetime import timedelta

import pytest

from schoolportal.core import hooks, richtext
from schoolportal.core.models import Group, User, utcnow
from schoolportal.feed.models import Comment, Post, PostAttachment, PostRead
from tests.feed.test_posts import HOSTILE_MARKDOWN, assert_inert, publish
from tests.support.queries import QueryCounter
from tests.support.web import ADMIN, OTHER_TEACHER, PARENT, TEACHER, csrf_token_from

HTMX = {"HX-Request": "true"}


@pytest.fixture
def group_post(ctx):
    """A published post of juf Sanne in Groep 1/2A."""
    return ctx(publish, TEACHER, "Groep 1/2A", title="Herfstwandeling",
               body="We gaan naar het **bos**.")


@pytest.fixture
def school_post(ctx):
    """A published school-wide post by the director."""
    return ctx(publish, ADMIN, None, title="Nieuwsbrief oktober", body="Beste ouders")


def _comment(client, post_id, body="Wat leuk!", page="/feed", headers=None):
    """Post a reaction with the CSRF token of a page the client sees."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(f"/posts/{post_id}/comments", data={"body": body, "csrf_token": token},
                       headers=headers or {})


def _count(ctx, model, *where):
    """Rows of a model (matching the conditions)."""
    return ctx(lambda: model.select().where(*where).count() if where else model.select().count())


# --- The timeline --------------------------------------------------------------------------

def test_parent_sees_school_wide_and_own_group_newest_first_pinned_on_top(ctx, parent):
    ctx(publish, ADMIN, None, title="Oud vastgezet", pinned=True)
    ctx(publish, TEACHER, "Groep 1/2A", title="Eerste")
    ctx(publish, OTHER_TEACHER, "Groep 5", title="Alleen groep 5")
    ctx(publish, TEACHER, "Groep 1/2A", title="Tweede")
    html = parent.get("/feed").get_data(as_text=True)
    titles = re.findall(r'class="feed-post__title"[^>]*><a [^>]*>([^<]+)<', html)
    assert titles == ["Oud vastgezet", "Tweede", "Eerste"]
    assert "Alleen groep 5" not in html
    assert "Nieuws" in html and "Vastgezet" in html


def test_teacher_sees_own_groups_and_school_wide(ctx, teacher):
    ctx(publish, ADMIN, None, title="Voor iedereen")
    ctx(publish, OTHER_TEACHER, "Groep 5", title="Alleen groep 5")
    html = teacher.get("/feed").get_data(as_text=True)
    assert "Voor iedereen" in html and "Alleen groep 5" not in html


def test_group_filter_full_page_and_htmx_fragment(ctx, parent, groups, school_post, group_post):
    url = f"/feed?group={groups['Groep 1/2A'].id}"
    page = parent.get(url).get_data(as_text=True)
    assert "<html" in page and "Herfstwandeling" in page and "Nieuwsbrief oktober" not in page
    fragment = parent.get("/feed?group=school", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.strip().startswith('<div id="feed-timeline">')
    assert "Nieuwsbrief oktober" in html and "Herfstwandeling" not in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_filtering_on_a_group_you_do_not_see_is_404(parent, groups):
    for choice in [groups["Groep 5"].id, 999999, "99999999999999999999", "abc", "-1", "1" * 5000]:
        assert parent.get(f"/feed?group={choice}").status_code == 404, choice


def test_older_posts_plain_link_and_revealed_fragment(ctx, parent):
    ctx(_bulk_posts, 23)
    html = parent.get("/feed").get_data(as_text=True)
    assert "Bericht 22" in html and "Bericht 02" not in html
    more = re.search(r'<p class="feed-more"><a [^>]*href="([^"]+)"[^>]*hx-trigger="revealed"', html)
    assert more and "Oudere berichten" in html
    older_url = more.group(1).replace("&amp;", "&")
    page = parent.get(older_url).get_data(as_text=True)
    assert "<html" in page and "Bericht 02" in page and "Bericht 22" not in page
    assert "Terug naar de nieuwste berichten" in page
    fragment = parent.get(older_url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "feed-timeline" not in fragment
    assert fragment.count('class="card feed-post') == 3 and "feed-more" not in fragment


def test_malformed_cursor_is_404(parent):
    for cursor in ["x", "1.2.3", "0." + "9" * 20 + ".1", "1" * 5000, "2.20260101000000000000.1"]:
        assert parent.get(f"/feed?older={cursor}").status_code == 404, cursor


def test_new_posts_are_marked_until_seen(ctx, parent, group_post):
    assert "feed-badge--new" in parent.get("/feed").get_data(as_text=True)
    assert "feed-badge--new" not in parent.get("/feed").get_data(as_text=True)
    ctx(publish, TEACHER, "Groep 1/2A", title="Nog een")
    html = parent.get("/feed").get_data(as_text=True)
    assert html.count("feed-badge--new") == 1


def test_menu_has_news_with_unread_badge_and_home_shows_latest(ctx, parent, group_post):
    html = parent.get("/account").get_data(as_text=True)
    assert re.search(r'href="/feed"[^>]*>Nieuws <span class="nav-badge">1', html)
    home = parent.get("/").get_data(as_text=True)
    assert "Laatste nieuws" in home and "Herfstwandeling" in home
    parent.get("/feed")
    assert "nav-badge" not in parent.get("/account").get_data(as_text=True)


def test_spaces_show_their_posts(parent, groups, group_post, school_post):
    group_page = parent.get(f"/groups/{groups['Groep 1/2A'].id}").get_data(as_text=True)
    assert "Herfstwandeling" in group_page and "Nieuwsbrief oktober" not in group_page
    school_page = parent.get("/school").get_data(as_text=True)
    assert "Nieuwsbrief oktober" in school_page and "Herfstwandeling" not in school_page


# --- Reactions ------------------------------------------------------------------------------

def test_reaction_inline_with_htmx_appends_only_the_new_reaction(ctx, parent, group_post):
    response = _comment(parent, group_post, "Wij komen ook!", headers=HTMX)
    assert response.status_code == 303
    fragment = parent.get(response.headers["Location"], headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and html.strip().startswith('<li class="feed-comment"')
    assert "Wij komen ook!" in html and "Eva Jansen" in html and "ouder van Sem" in html
    assert f'<hx-partial hx-target="#feed-comment-form-{group_post}"' in html
    assert _count(ctx, Comment, Comment.post == group_post) == 1


def test_reaction_without_javascript_reloads_at_the_reaction(ctx, parent, teacher, group_post):
    response = _comment(parent, group_post, "Gezellig")
    comment_id = ctx(lambda: Comment.get().id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/posts/{group_post}#feed-comment-{comment_id}")
    page = parent.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "Je reactie is geplaatst." in page and "Gezellig" in page
    # The teacher sees the reaction with who wrote it, and answers as "juf Sanne".
    assert "ouder van Sem" in teacher.get("/feed").get_data(as_text=True)
    _comment(teacher, group_post, "Fijn!", page=f"/posts/{group_post}")
    html = parent.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "juf Sanne" in html and "leerkracht" in html


def test_plain_comment_link_goes_to_the_post(ctx, parent, group_post):
    _comment(parent, group_post)
    comment_id = ctx(lambda: Comment.get().id)
    response = parent.get(f"/comments/{comment_id}")
    assert response.status_code == 302 and f"/posts/{group_post}#" in response.headers["Location"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_reaction_on_a_school_wide_post_is_403(ctx, parent, teacher, admin, school_post, headers):
    for client in (parent, teacher, admin):
        response = _comment(client, school_post, "Mag dit?", headers=headers)
        assert response.status_code == 403
    assert _count(ctx, Comment) == 0
    feed = parent.get("/feed").get_data(as_text=True)
    assert f'action="/posts/{school_post}/comments"' not in feed


def test_reaction_on_a_closed_post_is_403(ctx, parent, teacher, group_post):
    token = csrf_token_from(teacher.get(f"/posts/{group_post}").get_data(as_text=True))
    teacher.post(f"/posts/{group_post}/comments/close", data={"csrf_token": token})
    assert _comment(parent, group_post).status_code == 403
    assert "Reageren op dit bericht is gesloten." in parent.get("/feed").get_data(as_text=True)
    teacher.post(f"/posts/{group_post}/comments/open", data={"csrf_token": token})
    assert _comment(parent, group_post).status_code == 303


def test_no_route_edits_or_deletes_a_reaction_and_the_form_says_so(app, ctx, parent, group_post):
    comment_rules = [r.rule for r in app.url_map.iter_rules() if "comment" in r.rule]
    assert not [r for r in comment_rules if re.search(r"edit|delete|remove|update", r)]
    _comment(parent, group_post)
    comment_id = ctx(lambda: Comment.get().id)
    token = csrf_token_from(parent.get("/feed").get_data(as_text=True))
    for url in (f"/comments/{comment_id}/edit", f"/comments/{comment_id}/delete"):
        assert parent.post(url, data={"csrf_token": token, "body": "x"}).status_code in (404, 405)
    assert parent.post(f"/comments/{comment_id}/hide",
                       data={"csrf_token": token}).status_code == 403  # staff only
    # The form (opened with "React" in the feed, always open on the post page) says so.
    for html in (parent.get(f"/posts/{group_post}").get_data(as_text=True),
                 parent.get(f"/posts/{group_post}/comment-form", headers=HTMX).get_data(
                     as_text=True)):
        assert "kun je hem niet meer wijzigen of verwijderen" in html
        assert "Huisregels voor reacties" in html and "Respecteer de privacy van anderen." in html


BAD_REACTIONS = [
    ("", "Schrijf eerst een reactie."), ("   ", "Schrijf eerst een reactie."),
    ("x" * 10_000, "Gebruik hoogstens 2000 tekens."),
    ("nul\x00byte", "niet toegestaan"),
]


def test_bad_reactions_are_refused_with_a_message(ctx, parent, group_post):
    for body, message in BAD_REACTIONS:
        plain = _comment(parent, group_post, body)
        assert plain.status_code == 422 and message in plain.get_data(as_text=True)
        fragment = _comment(parent, group_post, body, headers=HTMX)
        html = fragment.get_data(as_text=True)
        assert fragment.status_code == 422 and "<html" not in html and message in html
        assert html.strip().startswith(f'<form id="feed-comment-form-{group_post}"')
    assert _count(ctx, Comment) == 0


def test_reaction_without_csrf_token_changes_nothing(ctx, parent, group_post):
    response = parent.post(f"/posts/{group_post}/comments", data={"body": "Hallo"})
    assert response.status_code == 400
    response = parent.post(f"/posts/{group_post}/comments",
                           data={"body": "Hallo", "csrf_token": "fout"})
    assert response.status_code == 400 and _count(ctx, Comment) == 0


def test_hostile_reactions_and_unicode_render_as_text(parent, group_post):
    for body in ['<script>alert(1)</script>', '<a href="#" hx-get="/logout">x</a>',
                 "Fijn 😀 — één"]:
        assert _comment(parent, group_post, body).status_code == 303
    html = parent.get(f"/posts/{group_post}").get_data(as_text=True)
    main = html.split('id="feed-comments"')[1]
    assert "<script>alert" not in main and 'hx-get="/logout"' not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main and "Fijn 😀 — één" in main


def test_staff_hide_a_reaction_from_parents(ctx, parent, teacher, login_as, group_post):
    _comment(parent, group_post, "Niet zo aardig")
    comment_id = ctx(lambda: Comment.get().id)
    other = login_as(OTHER_TEACHER)
    token = csrf_token_from(other.get("/feed").get_data(as_text=True))
    assert other.post(f"/comments/{comment_id}/hide", data={"csrf_token": token}).status_code == 404
    token = csrf_token_from(teacher.get(f"/posts/{group_post}").get_data(as_text=True))
    hidden = teacher.post(f"/comments/{comment_id}/hide", data={"csrf_token": token})
    assert hidden.status_code == 302
    assert "Niet zo aardig" not in parent.get(f"/posts/{group_post}").get_data(as_text=True)
    assert parent.get(f"/comments/{comment_id}").status_code == 404
    staff_view = teacher.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "Verborgen door juf Sanne" in staff_view and "Niet zo aardig" in staff_view
    hidden = ctx(Comment.get_by_id, comment_id)
    assert hidden.hidden_by_id is not None and hidden.hidden_at is not None


def test_admin_edits_house_rules_others_cannot(ctx, admin, parent, teacher, group_post):
    # Read with the post: ours until the school saves its own, then its latest version.
    assert "respect" in parent.get(f"/posts/{group_post}").get_data(as_text=True).lower()
    page = admin.get("/feed/rules").get_data(as_text=True)
    token = csrf_token_from(page)
    assert admin.post("/feed/rules", data={"body": "", "csrf_token": token}).status_code == 422
    response = admin.post("/feed/rules", data={"body": "1. Blijf vriendelijk", "csrf_token": token})
    assert response.status_code == 302
    assert "Blijf vriendelijk" in parent.get(f"/posts/{group_post}").get_data(as_text=True)
    admin.post("/feed/rules", data={"body": "1. Blijf heel vriendelijk", "csrf_token": token})
    shown = parent.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "Blijf heel vriendelijk" in shown and "respect" not in shown.lower()
    for client in (parent, teacher):
        own = csrf_token_from(client.get("/feed/rules").get_data(as_text=True))
        assert client.post("/feed/rules", data={"body": "x", "csrf_token": own}).status_code == 403


# --- Read receipts ---------------------------------------------------------------------------

def test_teacher_sees_who_read_a_post_parents_do_not(ctx, parent, teacher, group_post):
    parent.get("/feed")
    feed = teacher.get("/feed").get_data(as_text=True)
    total = ctx(lambda: __import__("schoolportal.feed.posts", fromlist=["x"]).readers_of(
        Post.get_by_id(group_post)))
    count = len(total[0]) + len(total[1])
    assert f"gelezen door 1 van {count} ouders" in feed
    page = teacher.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "Nog niet gelezen" in page and "Eva Jansen" in page.split("Gelezen (1)")[1]
    parent_page = parent.get(f"/posts/{group_post}").get_data(as_text=True)
    assert "gelezen door" not in parent_page and "Nog niet gelezen" not in parent_page


# --- What another group's parent reaches -------------------------------------------------------

def test_ouder_bakker_reaches_nothing_of_a_group_1_2a_post(ctx, app, other_parent, parent,
                                                           group_post, tmp_path):
    attachment = ctx(_attach_pdf, group_post)
    _comment(parent, group_post)
    comment_id = ctx(lambda: Comment.get().id)
    assert "Herfstwandeling" not in other_parent.get("/feed").get_data(as_text=True)
    for url in (f"/posts/{group_post}", f"/attachments/{attachment}", f"/comments/{comment_id}",
                f"/posts/{group_post}/edit", "/posts/99999", "/attachments/99999",
                "/comments/99999", "/posts/99999999999999999999"):
        response = other_parent.get(url, headers={})
        assert response.status_code in (403, 404), url
        assert "Herfstwandeling" not in response.get_data(as_text=True)
    assert _comment(other_parent, group_post).status_code == 404
    assert _comment(other_parent, group_post, headers=HTMX).status_code == 404
    assert _count(ctx, Comment) == 1


def test_logged_out_visitor_is_sent_to_login(client, group_post):
    for url in ("/feed", f"/posts/{group_post}", "/attachments/1", "/posts/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/feed?group=school", headers=HTMX).status_code == 401


def test_attachment_is_sent_as_a_download_to_parents_of_the_group(ctx, parent, group_post):
    attachment = ctx(_attach_pdf, group_post)
    response = parent.get(f"/attachments/{attachment}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "uitnodiging.pdf" in response.headers["Content-Disposition"]


def _attach_pdf(post_id):
    """Store a small PDF and attach it to a post; returns the attachment id."""
    from schoolportal.core import media
    from schoolportal.feed import posts

    stored = media.store(posts.MEDIA_AREA, io.BytesIO(b"%PDF-1.4 uitnodiging"), "uitnodiging.pdf")
    return PostAttachment.create(post=post_id, file_name=stored.name, mimetype=stored.mimetype,
                                 size=stored.size, download_name=stored.download_name).id


# --- Size and speed ----------------------------------------------------------------------------

def _bulk_posts(count, group_name="Groep 1/2A", title="Bericht {n:02d}", school_every=0):
    """Published posts straight into the table (no mails), one hour apart; returns ids."""
    group = Group.get(Group.name == group_name)
    teacher, admin = User.by_email(TEACHER), User.by_email(ADMIN)
    now = utcnow()
    body = "Vandaag hebben we **geknutseld** met herfstbladeren. Neem morgen een tas mee."
    rows = []
    for n in range(count):
        school = school_every and n % school_every == 0
        rows.append({
            "author": (admin if school else teacher).id, "group": None if school else group.id,
            "title": title.format(n=n), "body": body, "body_html": richtext.to_html(body),
            "published_at": now - timedelta(hours=count - n), "created_at": now})
    Post.insert_many(rows).execute()
    return [p.id for p in Post.select(Post.id).order_by(Post.id.desc()).limit(count)]


def _fill_feed(ctx, count=25, comments_each=6):
    """Many posts with reactions from several parents, quickly."""

    def fill():
        writers = [User.by_email(PARENT), User.by_email("ouder.elmansouri@example.org"),
                   User.by_email(TEACHER)]
        ids = _bulk_posts(count, title="Weekbericht {n}", school_every=3)
        group_posts = [p.id for p in Post.select().where(Post.id.in_(ids) & Post.group.is_null(
            False))]
        Comment.insert_many([
            {"post": post_id, "author": writers[n % 3].id, "body": f"Reactie {n}",
             "created_at": utcnow()} for post_id in group_posts for n in range(comments_each)
        ]).execute()

    ctx(fill)


def _queries(client, url="/feed"):
    """(number of SQL statements, html) for one page."""
    with QueryCounter() as counter:
        html = client.get(url).get_data(as_text=True)
    return counter.count, html


@pytest.mark.parametrize("who", ["parent", "teacher"])
def test_feed_page_runs_a_bounded_number_of_queries(request, ctx, monkeypatch, who):
    _fill_feed(ctx, count=4, comments_each=2)
    client = request.getfixturevalue(who)
    client.get("/feed")
    small, _html = _queries(client)
    _fill_feed(ctx, count=25, comments_each=6)
    counts = []
    # Other features' menu badges add their own (constant) queries to every page; the
    # feed's budget is measured with only its own menu item.
    monkeypatch.setattr(hooks, "NAV_ITEMS", [i for i in hooks.NAV_ITEMS
                                             if i.endpoint.startswith("feed.")])
    for _ in range(2):  # the first load also records the reads
        count, html = _queries(client)
        assert html.count('class="card feed-post') == 20 and "Reactie 5" in html
        counts.append(count)
    monkeypatch.undo()
    large, _html = _queries(client)
    print(f"{who}: {counts} queries for the feed itself; {small} / {large} with every feature")
    assert max(counts) <= 10
    assert large == small  # more posts and reactions, not more queries


def _gzip_size(data):
    return len(gzip.compress(data))


def test_feed_first_load_is_at_most_40_kb_gzip(ctx, parent):
    _fill_feed(ctx)
    html = parent.get("/feed", headers={"User-Agent": "Mozilla/5.0 (iPhone)"}).get_data()
    assert html.count(b'class="card feed-post') == 20
    total = _gzip_size(html)
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += _gzip_size(parent.get(asset.decode()).get_data())
    print(f"feed first load: {total} bytes gzip")
    assert total <= 40 * 1024


def _wire_size(headers, body):
    """Bytes on the wire for a message: its header lines and its gzip-compressed body."""
    head = sum(len(f"{key}: {value}\r\n") for key, value in headers)
    return head + (_gzip_size(body) if body else 0)


def _browser_headers(client, token, url):
    """The headers a phone browser with htmx sends with a request (sizes as on the wire)."""
    cookie = client.get_cookie("schoolportal_session")
    return [
        ("Host", "portal.obsderegenboog.nl"),
        ("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, "
                       "like Gecko) Chrome/124.0 Mobile Safari/537.36"),
        ("Accept", "text/html"), ("Accept-Language", "nl-NL,nl;q=0.9"),
        ("Accept-Encoding", "gzip, deflate, br"), ("Referer", "https://portal.example/feed"),
        ("Cookie", f"{cookie.key}={cookie.value}"), ("X-CSRFToken", token),
        ("HX-Request", "true"), ("HX-Request-Type", "partial"),
        ("HX-Source", "form#feed-comment-form-1"), ("HX-Target", "ol#feed-comments-1"),
        ("HX-Current-URL", "https://portal.obsderegenboog.nl/feed"),
    ]


def test_inline_reaction_round_trip_is_at_most_5_kb(parent, group_post):
    token = csrf_token_from(parent.get("/feed").get_data(as_text=True))
    form = f"body=Wat+leuk%21&csrf_token={token}".encode()
    posted = parent.post(f"/posts/{group_post}/comments", data=form,
                         headers={"X-CSRFToken": token, **HTMX},
                         content_type="application/x-www-form-urlencoded")
    assert posted.status_code == 303
    followed = parent.get(posted.headers["Location"], headers=HTMX)
    assert followed.status_code == 200 and "Wat leuk!" in followed.get_data(as_text=True)
    browser = _browser_headers(parent, token, f"/posts/{group_post}/comments")
    post_request = browser + [("Content-Type", "application/x-www-form-urlencoded"),
                              ("Content-Length", str(len(form)))]
    total = (_wire_size(post_request, form) + _wire_size(posted.headers, posted.data)
             + _wire_size(browser, b"") + _wire_size(followed.headers, followed.data))
    print(f"reaction round trip: {total} bytes")
    assert total <= 5 * 1024


# --- The editor ------------------------------------------------------------------------------

def _editor_data(client, url="/posts/new", **values):
    """The editor's fields with a fresh CSRF token."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "title": "Schoolreisje", "kind": "message",
            "body": "We gaan naar de **dierentuin**.", "when": "now"}
    data.update(values)
    return data


def test_teacher_publishes_with_an_attachment_and_parents_see_it(ctx, teacher, parent, groups):
    data = _editor_data(teacher, audience=str(groups["Groep 1/2A"].id),
                        files=(io.BytesIO(b"%PDF-1.4 brief"), "brief ouders.pdf"))
    response = teacher.post("/posts/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Het bericht is geplaatst." in teacher.get(response.headers["Location"]).get_data(
        as_text=True)
    html = parent.get("/feed").get_data(as_text=True)
    assert "Schoolreisje" in html and "<strong>dierentuin</strong>" in html
    assert "brief ouders.pdf" in html


BAD_POSTS = [
    ({"title": ""}, "Vul een titel in."),
    ({"title": "x" * 10_000}, "Gebruik hoogstens 200 tekens."),
    ({"body": ""}, "Schrijf de tekst van het bericht."),
    ({"body": "x" * 30_000}, "Gebruik hoogstens 20000 tekens."),
    ({"audience": None}, "Kies de hele school of minstens één groep."),
    ({"audience": ["school", "{group}"]}, "niet allebei"),
    ({"audience": "999999"}, "ongeldige keuze"),
    ({"when": "later", "publish_at": "2000-01-01T10:00"}, "in de toekomst"),
    ({"when": "later", "publish_at": ""}, "Vul in wanneer"),
    ({"kind": "virus"}, "Ongeldige keuze"),
]


def test_editor_refuses_bad_input_with_a_message(ctx, teacher, groups):
    group = str(groups["Groep 1/2A"].id)
    for values, message in BAD_POSTS:
        values = {k: ([x.format(group=group) for x in v] if isinstance(v, list) else v)
                  for k, v in values.items()}
        data = _editor_data(teacher, audience=group)
        data.update(values)
        data = {k: v for k, v in data.items() if v is not None}
        response = teacher.post("/posts/new", data=data)
        assert response.status_code == 422, values
        assert message in response.get_data(as_text=True), values
    assert _count(ctx, Post) == 0


def test_editor_refuses_a_file_that_is_not_accepted(ctx, teacher, groups):
    data = _editor_data(teacher, audience=str(groups["Groep 1/2A"].id),
                        files=(io.BytesIO(b"MZ\x90\x00 program"), "virus.exe"))
    response = teacher.post("/posts/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "niet geaccepteerd" in response.get_data(as_text=True)
    assert _count(ctx, Post) == 0


def test_teacher_cannot_post_to_another_group_parents_cannot_post(teacher, parent, groups):
    data = _editor_data(teacher, audience=str(groups["Groep 5"].id))
    assert teacher.post("/posts/new", data=data).status_code == 422
    assert parent.get("/posts/new").status_code == 403


def test_hostile_post_text_is_inert_on_the_page(ctx, parent):
    for text in HOSTILE_MARKDOWN:
        post_id = ctx(publish, TEACHER, "Groep 1/2A", title=f"<script>x</script>{text[:50]}",
                      body=text)
        html = parent.get(f"/posts/{post_id}").get_data(as_text=True)
        body = re.search(r'<div class="feed-post__body">(.*?)</div>', html, re.S).group(1)
        assert_inert(body)
        assert "<script>x</script>" not in html
    feed = parent.get("/feed").get_data(as_text=True)
    for body in re.findall(r'<div class="feed-post__body">(.*?)</div>', feed, re.S):
        assert_inert(body)


def test_schedule_draft_and_edit_flow(ctx, teacher, parent, groups):
    group = str(groups["Groep 1/2A"].id)
    data = _editor_data(teacher, audience=group, when="draft", title="Concepttekst")
    draft = teacher.post("/posts/new", data=data)
    post_id = int(draft.headers["Location"].rsplit("/", 1)[1])
    assert "Concepttekst" in teacher.get("/posts/drafts").get_data(as_text=True)
    assert parent.get(f"/posts/{post_id}").status_code == 404
    # Schedule it for tomorrow, then publish it now.
    edit = _editor_data(teacher, f"/posts/{post_id}/edit", title="Concepttekst", when="later",
                        publish_at=(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert teacher.post(f"/posts/{post_id}/edit", data=edit).status_code == 302
    assert "verschijnt op" in teacher.get("/posts/drafts").get_data(as_text=True)
    assert parent.get(f"/posts/{post_id}").status_code == 404
    edit.update(when="now")
    assert teacher.post(f"/posts/{post_id}/edit", data=edit).status_code == 302
    assert parent.get(f"/posts/{post_id}").status_code == 200
    # An edit of the published text shows "edited".
    edit.update(body="Aangepaste tekst")
    teacher.post(f"/posts/{post_id}/edit", data=edit)
    assert "bewerkt" in parent.get(f"/posts/{post_id}").get_data(as_text=True)


def test_only_editors_edit_and_delete(ctx, teacher, login_as, parent, group_post):
    other = login_as(OTHER_TEACHER)
    assert other.get(f"/posts/{group_post}/edit").status_code == 404
    token = csrf_token_from(other.get("/feed").get_data(as_text=True))
    assert other.post(f"/posts/{group_post}/delete", data={"csrf_token": token}).status_code == 404
    token = csrf_token_from(teacher.get(f"/posts/{group_post}/edit").get_data(as_text=True))
    deleted = teacher.post(f"/posts/{group_post}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert _count(ctx, Post) == 0 and parent.get(f"/posts/{group_post}").status_code == 404


def test_reads_are_recorded_once_per_person(ctx, parent, group_post):
    parent.get("/feed")
    parent.get(f"/posts/{group_post}")
    assert _count(ctx, PostRead, PostRead.post == group_post) == 2  # the author, and Eva
