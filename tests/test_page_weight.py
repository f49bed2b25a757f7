"""Light pages: the first load of each page (HTML, CSS, JS) stays under 40 KB gzip."""

import gzip
import re

import pytest

LIMIT = 40 * 1024


def _first_load_bytes(client, url):
    """Gzip size of the page plus every stylesheet, script and icon it links."""
    html = client.get(url).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return total


@pytest.mark.parametrize("who", ["anonymous", "parent", "teacher", "admin"])
def test_first_load_is_small(request, client, groups, who):
    user = client if who == "anonymous" else request.getfixturevalue(who)
    urls = ["/login"] if who == "anonymous" else ["/", "/school", "/account"]
    if who in ("teacher", "admin"):
        urls.append(f"/groups/{groups['Groep 1/2A'].id}")
    for url in urls:
        size = _first_load_bytes(user, url)
        print(f"{who} {url}: {size} bytes gzip")
        assert size <= LIMIT, f"{url} weighs {size} bytes gzip"
