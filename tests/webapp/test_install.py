"""Installable: the manifest and its icons, the service worker, the offline page, hashed assets."""

import gzip
import io
import json
import re

from PIL import Image

from tests.support.web import csrf_token_from
from tests.support.weight import LIMIT, first_load_bytes

HASHED_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{10})"')


def test_manifest_is_dutch_standalone_with_192_and_512_pixel_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "OBS De Regenboog" and manifest["lang"] == "nl"
    assert 0 < len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"]
    sizes = {}
    for icon in manifest["icons"]:
        picture = client.get(icon["src"])
        assert picture.status_code == 200 and picture.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(picture.get_data())).size
        assert icon["sizes"] == f"{width}x{height}"
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes["any"] == {192, 512} and 512 in sizes["maskable"]


def test_every_page_links_manifest_touch_icon_and_scripts_without_inline_code(client, parent):
    for html in (client.get("/login").get_data(as_text=True),
                 parent.get("/").get_data(as_text=True)):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', html).group(1)
        assert Image.open(io.BytesIO(client.get(touch).get_data())).size == (180, 180)
        assert '<meta name="theme-color"' in html
        assert re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]{10}" defer>', html)
        assert "<script>" not in html and " style=" not in html


def test_static_links_carry_their_version_and_live_for_a_year(client, parent):
    html = parent.get("/").get_data(as_text=True)
    linked = HASHED_ASSET.findall(html)
    assert any("/css/app.css" in url for url in linked)
    assert any("/js/htmx-" in url for url in linked)
    for url in linked:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    stale = client.get("/static/css/app.css?v=0000000000")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"


def test_the_service_worker_is_served_from_the_root_and_keeps_only_public_files(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    precached = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    assert precached and all(url.startswith("/static/") for url in precached)
    for url in precached:
        assert client.get(url).headers["Cache-Control"].endswith("immutable"), url
    assert 'const OFFLINE_URL = "/offline";' in body
    # Pages and photos go to the network: the worker answers navigations only when offline.
    assert "cache.put(OFFLINE_URL" in body and body.count("cache.put(") == 1
    assert 'credentials: "omit"' in body


def test_the_offline_page_is_dutch_public_and_holds_nothing_personal(client, parent):
    page = client.get("/offline")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="nl">' in html
    assert "Geen verbinding" in html
    signed_in = parent.get("/offline").get_data(as_text=True)
    assert "Eva Jansen" not in signed_in and "Groep 1/2A" not in signed_in
    assert "csrf_token" not in signed_in and "<script" not in signed_in


def test_logout_clears_the_cache_and_storage_of_the_site(parent):
    token = csrf_token_from(parent.get("/menu").get_data(as_text=True))
    response = parent.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert parent.get("/feed").status_code == 302  # logged out for real


def test_the_first_load_of_a_parents_home_stays_under_40_kb_with_manifest_and_worker(parent):
    html = parent.get("/").get_data(as_text=True)
    assert "/manifest.webmanifest" in html and "/static/js/app." in html
    total = first_load_bytes(parent, "/")
    total += len(gzip.compress(parent.get("/manifest.webmanifest").get_data()))
    total += len(gzip.compress(parent.get("/sw.js").get_data()))
    print(f"first load of the parent's home: {total} bytes gzip (limit {LIMIT})")
    assert total <= LIMIT
