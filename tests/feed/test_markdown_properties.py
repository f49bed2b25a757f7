"""Markdown from staff (posts, house rules), tried with Hypothesis: never a script out."""

from collections import Counter

from hypothesis import given

from schoolportal.core import richtext
from tests.support.hostile import FAST, HTTP, hostile_text, raw_markup_in, typed_attack
from tests.support.web import csrf_token_from


@FAST
@given(hostile_text)
def test_rendered_markdown_never_holds_a_script(text):
    html = richtext.to_html(text)
    assert raw_markup_in(html) == [], (text, html)


def _post(teacher, groups, title, body):
    """Write a post through the real editor; returns the response."""
    page = teacher.get("/posts/new").get_data(as_text=True)
    return teacher.post("/posts/new", data={
        "csrf_token": csrf_token_from(page), "audience": str(groups["Groep 1/2A"].id),
        "kind": "message", "title": title, "body": body, "when": "now"})


@HTTP
@given(title=hostile_text, body=typed_attack)
def test_a_post_with_anything_in_it_is_shown_safely_or_refused(app, groups, teacher, title,
                                                                body):
    response = _post(teacher, groups, title, body)
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert "field__error" in response.get_data(as_text=True)  # a message at the field
        response = _post(teacher, groups, "Uitstapje", body)  # the body alone must get in
        assert response.status_code == 302
    shown = teacher.get(response.headers["Location"]).get_data(as_text=True)
    plain = _post(teacher, groups, "Gewoon", "Gewone tekst.")
    baseline = teacher.get(plain.headers["Location"]).get_data(as_text=True)
    # The page of a plain post has the portal's own forms and scripts; nothing more may come.
    assert Counter(raw_markup_in(shown)) - Counter(raw_markup_in(baseline)) == Counter()
