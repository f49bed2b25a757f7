"""At most 10 SQL statements a page: every page each demo role reaches by links, counted.

The walk opens one page per route (endpoint) that the role reaches from its home page and
the menu, on the demo school with every area's examples, and counts the statements of the
first visit (reads recorded on a first visit are part of what the page costs).
"""

import re

import pytest

from tests.support.crawl import walk
from tests.support.queries import QueryCounter
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
