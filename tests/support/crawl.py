"""Walking every page a demo role reaches by links: one page per route (endpoint).

The browser walk (tests/webapp/test_every_page_browser.py) and the query-budget walk
(tests/core/test_query_budget.py) share the way they walk, and the school they walk: the
`demo_school` fixture (tests/conftest.py).
"""

import re
from collections import deque
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

START = ("/", "/menu")
# Files, feeds and exports are not pages; logging out would end the walk, a language switch
# would change it.
NOT_A_PAGE = re.compile(
    r"(/logout|/download|/export|\.csv|\.ics|\.xml|\.zip|\.pdf|/attachments/|/files/|/html$"
    r"|/albums/photos/\d+/\d+\.|/account/photo/|/static/|/sw\.js|/manifest|/language)")


def walk(app, open_page, limit):
    """Open one page per route reachable by links from START; returns the paths opened.

    `open_page(url)` opens a page and returns the links on it, or None when it was no page
    (not 200, not HTML).
    """
    adapter = app.url_map.bind("localhost")
    seen, queue, visited = set(), deque(START), []
    while queue and len(visited) < limit:
        parts = urlsplit(queue.popleft().replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path.startswith("/") \
                or NOT_A_PAGE.search(parts.path):
            continue
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except HTTPException:
            continue
        if endpoint in seen:
            continue
        seen.add(endpoint)
        links = open_page(parts.path + (f"?{parts.query}" if parts.query else ""), endpoint)
        if links is not None:
            visited.append(parts.path)
            queue.extend(links)
    return visited
