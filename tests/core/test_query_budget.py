"""At most 10 SQL statements a page: every page each demo role reaches by links, counted.

The walk opens one page per route (endpoint) that the role reaches from its home page and
the menu, on the demo school with every area's examples, and counts the statements of the
first visit (reads recorded on a first visit are part of what the page costs).
"""

import re

import pytest

from tests.support.crawl import walk
from tests.support.queries import QueryCounter, statements_for
from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT

BUDGET = 10
PAGE_LIMIT = 150
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)')


def _walk(app, client):
    """{endpoint: (url, statements)} for one page per route reachable by links."""
    counted = {}

    def open_page(url, endpoint):
        with QueryCounter() as counter:
            response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return None
        counted[endpoint] = (url, counter.count)
        return HREF.findall(response.get_data(as_text=True))

    walk(app, open_page, PAGE_LIMIT)
    return counted


@pytest.mark.parametrize("email", [PARENT, TWO_GROUP_PARENT, TEACHER, ADMIN])
def test_every_page_runs_at_most_ten_statements(demo_school, login_as, email):
    pages = _walk(demo_school, login_as(email))
    assert len(pages) >= 12, pages
    over = [f"{url} ({endpoint}): {statements} statements, at most {BUDGET}"
            for endpoint, (url, statements) in sorted(pages.items()) if statements > BUDGET]
    assert over == [], "\n".join(over)


# Pages that read several lists in one statement (core/together.py), on the demo school with
# every example (posts with comments, files and photos; absences; albums; meetings...): home
# cards with the menu's badges; the feed's comments, files, read counts and photos; the group
# page's pupils, staff, absences and albums. A page back over its figure lost that.
@pytest.mark.parametrize(("email", "url", "most"), [
    (PARENT, "/", 3), (TWO_GROUP_PARENT, "/", 3), (TEACHER, "/", 3), (ADMIN, "/", 4),
    (TEACHER, "/feed", 5), (TWO_GROUP_PARENT, "/feed", 5), (TEACHER, "/groups/1", 7),
])
def test_pages_read_their_lists_together(demo_school, login_as, email, url, most):
    client = login_as(email)
    client.get(url)  # the first visit may record a known device or a read
    assert statements_for(client, url) <= most
