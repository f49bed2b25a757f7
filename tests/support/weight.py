"""Page weight: the bytes of a first load (HTML, CSS, JS), gzipped, against the limit."""

import gzip
import re

LIMIT = 40 * 1024


def first_load_bytes(client, url):
    """Gzip size of the page plus every stylesheet, script and icon it links."""
    html = client.get(url).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return total
