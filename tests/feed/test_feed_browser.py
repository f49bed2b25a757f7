"""The feed in Chromium: a teacher posts, a parent reacts inline, the teacher sees it; axe."""

import re

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Group
from schoolportal.feed import demo
from tests.feed.test_feed import _bulk_posts
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.web import PARENT, TEACHER


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 422 answers."""
    return [e for e in errors if "status of 422" not in e]


def _group_id(app, name="Groep 1/2A"):
    with app.app_context(), db.connection_context():
        return Group.get(Group.name == name).id


def _with_demo_posts(app):
    """The demo's posts, reactions and newsletter."""
    with app.app_context(), db.connection_context():
        demo.seed(None)


def test_teacher_posts_parent_reacts_inline_teacher_sees_reaction_and_read_count(app, new_page):
    group_id = _group_id(app)
    teacher = new_page(viewport=DESKTOP)
    log_in(teacher, TEACHER, then=f"/posts/new?group={group_id}")
    editor = teacher.locator("form#feed-editor")
    expect(editor.locator(f"input[name=audience][value='{group_id}']")).to_be_checked()
    editor.locator("input[name=title]").fill("Op bezoek bij de brandweer")
    editor.locator("textarea[name=body]").fill("Morgen gaan we naar de **kazerne**.")
    editor.locator("button[type=submit]").click()
    teacher.locator(".flash--success").wait_for()
    assert "Het bericht is geplaatst." in teacher.locator(".flash--success").inner_text()

    parent = new_page(viewport=PHONE)
    log_in(parent, PARENT, then="/feed")
    wait_for_htmx(parent)
    post = parent.locator("article.feed-post", has_text="Op bezoek bij de brandweer")
    expect(post.locator(".feed-badge--new")).to_be_visible()
    expect(post.locator("strong")).to_have_text("kazerne")
    assert post.locator("form.feed-comment-form").count() == 0  # opens on "React"
    post.get_by_role("link", name=re.compile("Reageren")).click()
    form = post.locator("form.feed-comment-form")
    expect(form).to_contain_text("niet meer wijzigen of verwijderen")
    form.locator("textarea").fill("Wat spannend, Sem heeft er zin in!")
    form.locator("button[type=submit]").click()
    reaction = post.locator(".feed-comments__list li", has_text="Sem heeft er zin in")
    reaction.wait_for()
    expect(reaction).to_contain_text("ouder van Sem")
    expect(post.locator("form.feed-comment-form textarea")).to_have_value("")
    assert path_of(parent) == "/feed"  # no reload: the reaction was added in place
    assert parent.errors == []

    teacher.goto("/feed")
    post = teacher.locator("article.feed-post", has_text="Op bezoek bij de brandweer")
    expect(post).to_contain_text("Sem heeft er zin in")
    read_count = re.compile(r"gelezen door 1 van \d+ ouders")
    expect(post.locator(".feed-post__reads")).to_contain_text(read_count)
    post.locator(".feed-post__reads a").click()
    expect(teacher.locator("#feed-reads")).to_contain_text("Nog niet gelezen")
    assert teacher.errors == []


def test_reacting_without_javascript_reloads_at_the_reaction(app, page_without_js):
    _with_demo_posts(app)
    page = page_without_js
    log_in(page, PARENT, then="/feed")
    post = page.locator("article.feed-post", has_text="Gymschoenen mee")
    post.get_by_role("link", name=re.compile("Reageren")).click()  # to the post's own page
    page.wait_for_url(re.compile(r"/posts/\d+"))
    form = page.locator("form.feed-comment-form")
    form.locator("textarea").fill("Staan klaar bij de deur.")
    form.locator("button[type=submit]").click()
    page.locator(".flash--success").wait_for()
    assert re.fullmatch(r"/posts/\d+", path_of(page)) and "#feed-comment-" in page.url
    expect(page.locator("#feed-comments")).to_contain_text("Staan klaar bij de deur.")


def test_a_refused_reaction_shows_its_message_in_place(app, page):
    _with_demo_posts(app)
    log_in(page, PARENT, then="/feed")
    wait_for_htmx(page)
    page.locator(".feed-react a").first.click()
    form = page.locator("form.feed-comment-form").first
    form.locator("button[type=submit]").click()
    expect(page.locator(".feed-comment-form .field__error").first).to_have_text(
        "Schrijf eerst een reactie.")
    assert path_of(page) == "/feed"
    assert _unexpected(page.errors) == []


def test_older_posts_load_when_scrolled_into_view_and_filters_swap(app, page):
    with app.app_context(), db.connection_context():
        _bulk_posts(26)
    log_in(page, PARENT, then="/feed")
    wait_for_htmx(page)
    expect(page.locator("article.feed-post")).to_have_count(20)
    page.locator(".feed-more a").scroll_into_view_if_needed()
    expect(page.locator("article.feed-post")).to_have_count(26)
    expect(page.locator(".feed-more")).to_have_count(0)
    assert path_of(page) == "/feed"
    page.locator(".feed-filter a", has_text="Schoolbreed").click()
    expect(page.locator(".feed-filter a[aria-current]")).to_have_text("Schoolbreed")
    expect(page.locator("article.feed-post")).to_have_count(0)
    assert page.url.endswith("/feed?group=school")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_feed_post_and_editor(app, new_page, viewport):
    _with_demo_posts(app)
    parent = new_page(viewport=viewport)
    log_in(parent, PARENT, then="/feed")
    wait_for_htmx(parent)
    assert_no_axe_violations(parent)
    parent.locator("article.feed-post h2 a", has_text="Wat hebben we deze week gedaan?").click()
    parent.locator("#feed-comments").wait_for()
    assert_no_axe_violations(parent)

    teacher = new_page(viewport=viewport)
    log_in(teacher, TEACHER, then="/feed")
    teacher.locator("article.feed-post h2 a", has_text="Wat hebben we deze week gedaan?").click()
    teacher.locator("#feed-reads").wait_for()
    assert_no_axe_violations(teacher)  # with read receipts and moderation buttons
    teacher.goto("/posts/new")
    assert_no_axe_violations(teacher)
    teacher.locator("form#feed-editor button[type=submit]").click()  # everything empty
    teacher.locator("form#feed-editor .field__error").first.wait_for()
    assert_no_axe_violations(teacher)
    assert _unexpected(parent.errors + teacher.errors) == []
