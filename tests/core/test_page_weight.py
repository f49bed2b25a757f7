"""Light pages: the first load of each page (HTML, CSS, JS) stays under 40 KB gzip."""

import pytest

from tests.support.weight import LIMIT, first_load_bytes


@pytest.mark.parametrize("who", ["anonymous", "parent", "teacher", "admin"])
def test_first_load_is_small(request, client, groups, who):
    user = client if who == "anonymous" else request.getfixturevalue(who)
    urls = ["/login"] if who == "anonymous" else ["/", "/school", "/account"]
    if who in ("teacher", "admin"):
        urls.append(f"/groups/{groups['Groep 1/2A'].id}")
    for url in urls:
        size = first_load_bytes(user, url)
        print(f"{who} {url}: {size} bytes gzip")
        assert size <= LIMIT, f"{url} weighs {size} bytes gzip"
