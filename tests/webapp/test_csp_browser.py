"""No inline style or script anywhere: posting a reaction or sending a message leaves the
console free of Content-Security-Policy errors."""

import re
from pathlib import Path

from tests.support.browser import PHONE, log_in, wait_for_htmx
from tests.support.web import PARENT

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_or_script_carries_inline_style_or_script():
    for path in (ROOT / "schoolportal" / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue  # mail clients need inline styles; mails are not pages of the portal
        text = path.read_text()
        assert not re.search(r"\sstyle=|<style|<script>|\son[a-z]+=", text), path
    for path in (ROOT / "static" / "js").glob("*.js"):
        if path.name.startswith("htmx-"):
            continue
        text = path.read_text()
        assert "setAttribute(\"style\"" not in text and "innerHTML" not in text, path


def _csp_errors(page):
    """Console errors about the Content-Security-Policy."""
    return [e for e in page.errors if "Content Security Policy" in e or "Refused to" in e]


def test_reacting_and_messaging_cause_no_csp_errors(app, ctx, teacher, groups, new_page):
    from tests.feed.test_post_photos import post_with_photos

    post_id, _photos = post_with_photos(teacher, ctx, groups["Groep 1/2A"].id, count=1)
    page = new_page(viewport=PHONE)
    log_in(page, PARENT, then="/feed")
    wait_for_htmx(page)
    post = page.locator(f"#feed-post-{post_id}")
    post.get_by_role("link", name=re.compile("Reageren")).click()
    post.locator("textarea[name=body]").fill("Wat een mooie foto!")
    post.locator("button[type=submit]").click()
    post.locator(".feed-comment__body", has_text="Wat een mooie foto!").wait_for()

    page.goto("/conversations/new")
    wait_for_htmx(page)
    form = page.locator("form#conversations-start")
    form.locator("select[name=recipient]").select_option(label="juf Sanne, leerkracht van Sem")
    form.locator("input[name=subject]").fill("Zwemmen")
    form.locator("textarea[name=body]").fill("Mag Sem morgen later komen?")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/conversations/\d+$"))
    reply = page.locator("form#conversations-reply")
    reply.locator("textarea[name=body]").fill("Nog een vraag.")
    reply.locator("button[type=submit]").click()
    page.locator(".conversations-message__body", has_text="Nog een vraag.").wait_for()
    assert _csp_errors(page) == []
