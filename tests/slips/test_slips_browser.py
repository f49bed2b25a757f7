"""Slips in Chromium: axe at phone and desktop size on the form, the overview, the list, the
new-slip form and the post with "gelezen en begrepen"; answering on a phone; "Gelezen" with
one tap (htmx) and without JavaScript."""

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import User, utcnow
from schoolportal.feed.models import Post
from schoolportal.slips.models import ReadRequest
from tests.slips.support import group_1_2a, make_slip
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    wait_for_htmx,
)
from tests.support.web import PARENT, TEACHER


def _in_db(app, work):
    """Run work() with a connection and return its result."""
    with app.app_context(), db.connection_context():
        return work()


def _post_with_request(app):
    """A Groep 1/2A post with a read request and a slip under it: (post id, slip id)."""
    def create():
        post = Post.create(author=User.by_email(TEACHER), group=group_1_2a(),
                           title="Uitje naar de kinderboerderij", body="Mee?",
                           body_html="<p>Mee?</p>", published_at=utcnow())
        ReadRequest.create(post=post, requested_by=User.by_email(TEACHER))
        return post.id, make_slip(post=post).id
    return _in_db(app, create)


def _unexpected(errors):
    """Console errors other than the browser noting our deliberate 4xx answers."""
    return [e for e in errors if "status of 422" not in e and "status of 409" not in e]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_parent_answers_and_confirms_reading(app, page, viewport):
    post_id, slip_id = _post_with_request(app)
    log_in(page, PARENT, then="/")
    expect(page.locator("#slips-home")).to_contain_text("Kinderboerderij")
    assert_no_axe_violations(page)
    page.goto(f"/slips/{slip_id}")
    assert_no_axe_violations(page)
    page.locator("#slips-answer button[type=submit]").click()  # nothing filled in
    page.locator("#slips-answer .field__error").first.wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("Ja", exact=True).first.check()
    page.get_by_label("Allergieën").fill("Hooikoorts")
    page.get_by_label("Nee", exact=True).last.check()
    page.locator("#slips-answer button[type=submit]").click()
    expect(page.locator(".flash--success")).to_contain_text("je antwoord voor Sem")
    expect(page.locator("#slips-answered-by")).to_contain_text("Eva Jansen")
    assert_no_axe_violations(page)
    page.goto(f"/posts/{post_id}")
    wait_for_htmx(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Gelezen en begrepen").click()
    expect(page.locator("#slips-read")).to_contain_text("Je hebt bevestigd")
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_pages_have_no_axe_violations(app, page, viewport):
    post_id, slip_id = _post_with_request(app)
    log_in(page, TEACHER)
    for url in (f"/slips/{slip_id}/overview", "/slips", "/slips/new", f"/posts/{post_id}"):
        page.goto(url)
        assert_no_axe_violations(page)
    page.goto("/slips/new")
    page.locator("#slips-new button[type=submit]").click()
    page.locator("#slips-new .field__error").first.wait_for()
    assert_no_axe_violations(page)
    assert _unexpected(page.errors) == []


def test_gelezen_and_answering_without_javascript(app, page_without_js):
    post_id, slip_id = _post_with_request(app)
    page = page_without_js
    log_in(page, PARENT, then=f"/posts/{post_id}")
    page.get_by_role("button", name="Gelezen en begrepen").click()
    expect(page.locator(".flash--success")).to_contain_text("de school ziet dat je dit")
    expect(page.locator("#slips-read")).to_contain_text("Je hebt bevestigd")
    page.goto(f"/slips/{slip_id}")
    page.get_by_label("Nee", exact=True).first.check()
    page.get_by_label("Ja", exact=True).last.check()
    page.locator("#slips-answer button[type=submit]").click()
    expect(page.locator(".flash--success")).to_contain_text("je antwoord voor Sem")
