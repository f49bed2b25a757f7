"""Markdown as staff write it, turned into HTML that is safe to show to everyone.

Two locks, so one mistake does not open the door: markdown-it renders with raw HTML
switched off (typed tags come out as text), then nh3 (the Rust `ammonia` sanitiser) keeps
only a short list of tags and attributes and only http, https and mailto links. Images
are not rendered: a picture from another site would tell it who reads the post.
"""

import html

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_SHIFT = 2  # a post's title is an h2: "# Kop" in its body becomes an h3

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"]).disable(["image"])


def to_html(text):
    """Safe HTML for Markdown text."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    return nh3.clean(
        rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )


def to_text(safe_html, limit=None):
    """Plain text of rendered HTML (for mails and previews), cut at a word when too long."""
    text = html.unescape(nh3.clean(safe_html or "", tags=set()))
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text
