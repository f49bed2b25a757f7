"""The production setup for real: nginx, gunicorn and the worker as docs/deploy/ ships them.

One walk through the running stack (nginx, gunicorn with 3 workers, the mail worker, a
real SMTP server), from different client addresses on loopback.
"""

import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from config import Config
from schoolportal.albums import processing
from schoolportal.albums import service as albums
from schoolportal.albums.demo import drawn_photo
from schoolportal.albums.models import PHOTO_AREA, Photo
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, LoginAttempt, User
from tests.support.smtp import Inbox, free_port
from tests.support.web import DEMO_PASSWORD, OTHER_PARENT, PARENT, TEACHER
from tests.system import stack
from tests.system.visitor import CSRF, Visitor


@pytest.fixture
def photo(app):
    """A photo in an album of Groep 1/2A, as juf Sanne uploads it: (photo id, its files)."""
    import random

    with app.app_context(), db.connection_context():
        group = Group.get(Group.name == "Groep 1/2A")
        teacher = User.by_email(TEACHER)
        album = albums.create_album(teacher, "Schoolreisje", group=group)
        [waiting] = albums.add_photos(album, teacher, [
            ("IMG_0001.jpg", io.BytesIO(drawn_photo("Schoolreisje", 1, random.Random(19))))])
        processing.process_now([waiting])  # what the worker does with an upload
        added = Photo.get_by_id(waiting.id)
        return added.id, added.file_names(), album.id


@pytest.fixture
def production(app, photo, tmp_path):
    """nginx + gunicorn + the worker on 127.0.0.1, with a real SMTP server behind them."""
    from aiosmtpd.controller import Controller

    stack.require_nginx()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    running, stop = stack.start(app, tmp_path / "server", smtp.port)
    running.inbox = inbox
    try:
        yield running
    finally:
        stop()
        smtp.stop()


def _visitor(production, source):
    """A client on its own loopback address, speaking HTTPS to nginx."""
    return Visitor(production.https_port, production.cafile, source=source)


def test_a_parent_walks_through_nginx_and_gets_photos_only_through_the_app(
        app, production, photo):
    photo_id, names, album_id = photo
    media = Path(app.config["MEDIA_ROOT"]) / PHOTO_AREA

    # Plain HTTP goes on to HTTPS.
    plain = Visitor(production.http_port, scheme="http").get("/login")
    assert plain.status == 301 and plain.header("Location").startswith("https://")

    parent = _visitor(production, "127.0.0.3")
    login_page = parent.get("/login")
    assert login_page.status == 200 and login_page.header("Content-Encoding") == "gzip"
    assert login_page.header("Cache-Control") == "no-store"
    # Static files: from disk, a year in the browser's cache, their hash in the link.
    for link in re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{10})"', login_page.text):
        asset = parent.get(link)
        assert asset.status == 200, link
        assert asset.header("Cache-Control") == "public, max-age=31536000, immutable"
        path = link.split("?")[0].removeprefix("/static/")
        assert asset.body == (stack.ROOT / "static" / path).read_bytes()
    assert len(re.findall(r"\?v=", login_page.text)) >= 3

    assert parent.log_in(PARENT, DEMO_PASSWORD).status == 302
    assert parent.cookie_flags["schoolportal_session"] == {"secure": True, "httponly": True}
    home = parent.get("/")
    assert home.status == 200 and "Sem" in home.text
    album = parent.get(f"/albums/{album_id}")
    assert album.status == 200 and "Schoolreisje" in album.text
    [url] = sorted(set(re.findall(rf'/albums/photos/{photo_id}/\d+\.webp', album.text)))[:1]
    width = url.rsplit("/", 1)[1].split(".")[0]
    stored = media / f"{names[0].split('-')[0]}-{width}.webp"

    # The parent gets the photo: nginx sends the file the app pointed at.
    image = parent.get(url)
    assert image.status == 200 and image.header("Content-Type") == "image/webp"
    assert hashlib.sha256(image.body).digest() == hashlib.sha256(stored.read_bytes()).digest()
    assert image.header("X-Content-Type-Options") == "nosniff"
    assert image.header("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert image.header("Cache-Control") == "private, max-age=3600"
    # ... because the app answered with X-Accel-Redirect and no bytes of its own.
    direct = Visitor(production.app_port, scheme="http")
    direct.cookies, direct.cookie_flags = dict(parent.cookies), {
        name: {"secure": False} for name in parent.cookies}
    handed = direct.get(url, **{"X-Forwarded-Proto": "https"})
    assert handed.status == 200 and handed.body == b""
    assert handed.header("X-Accel-Redirect") == f"/protected-media/{PHOTO_AREA}/{stored.name}"

    # A parent of another group, a visitor without an account, and the media path itself.
    other = _visitor(production, "127.0.0.4")
    assert other.log_in(OTHER_PARENT, DEMO_PASSWORD).status == 302
    refused = other.get(url)
    assert refused.status == 404 and stored.read_bytes() not in refused.body
    anonymous = _visitor(production, "127.0.0.5")
    assert anonymous.get(url).status == 302
    file = f"{PHOTO_AREA}/{stored.name}"
    for path in (f"/protected-media/{file}", f"/media/{file}", f"/{file}",
                 f"/static/../media/{file}", f"/static/../../data/media/{file}"):
        for who in (anonymous, parent):
            answer = who.get(path)
            assert answer.status in (400, 404), (path, answer.status)
            assert stored.read_bytes() not in answer.body

    # The worker delivers: the teacher hears of the sick report at once.
    form = re.search(r'<form class="absence-quick"[^>]*action="([^"]+)".*?</form>', home.text,
                     re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    assert parent.post_form(form.group(1), fields).status == 302
    _wait_for(lambda: production.inbox.to(TEACHER), "the teacher's mail")
    health = parent.get("/healthz")
    assert health.status == 200 and json.loads(health.body)["worker"] == "ok"

    # One log line per request, ids and codes only.
    lines = [json.loads(line) for line in (production.logs / "web.log").read_text().splitlines()
             if line.startswith('{"event": "request"')]
    with app.app_context(), db.connection_context():
        parent_id = User.by_email(PARENT).id
    assert {"endpoint": "albums.image", "status": 200, "user": parent_id}.items() <= next(
        line for line in lines if line["endpoint"] == "albums.image").items()
    log = (production.logs / "web.log").read_text().lower()
    assert "jansen" not in log and "@example.org" not in log and "127.0.0.3" not in log


def test_the_login_throttle_sees_the_client_address_not_nginx(app, production):
    spoofing = _visitor(production, "127.0.0.2")
    for _ in range(3):
        failed = spoofing.log_in(PARENT, "wrong password")
        assert failed.status == 422
    # The fourth try for that account from that address waits, even with the right password
    # and a made-up X-Forwarded-For: nginx replaces it with the address it really saw.
    token = CSRF.search(spoofing.get("/login").text).group(1)
    waited = spoofing.post_form("/login", {"email": PARENT, "password": DEMO_PASSWORD,
                                           "csrf_token": token},
                                **{"X-Forwarded-For": "203.0.113.9"})
    assert waited.status == 429
    # Another parent, from another address behind the same nginx, logs in as usual.
    assert _visitor(production, "127.0.0.6").log_in(OTHER_PARENT, DEMO_PASSWORD).status == 302
    with app.app_context(), db.connection_context():
        assert {a.ip for a in LoginAttempt.select()} == {"127.0.0.2"}
    # And the parent from home (another address): the guesser's failures do not lock her out.
    assert _visitor(production, "127.0.0.8").log_in(PARENT, DEMO_PASSWORD).status == 302


def test_request_bodies_are_limited_by_nginx_as_by_the_app(production):
    site = (stack.DEPLOY / "nginx-schoolportal.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    limit = megabytes * 1024 * 1024
    assert limit == Config.MAX_CONTENT_LENGTH == int(stack.settings()["MAX_CONTENT_LENGTH"])
    visitor = _visitor(production, "127.0.0.7")
    too_large = visitor.request("POST", "/login", body=b"x",
                                headers={"Content-Length": str(limit + 1),
                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert too_large.status == 413
    token = CSRF.search(visitor.get("/login").text).group(1)
    within = visitor.post_form("/login", {"email": "x@example.org", "password": "y" * 1000,
                                          "csrf_token": token})
    assert within.status == 422  # through nginx to the app, which answers itself


def _wait_for(condition, what, seconds=20):
    """Poll until the condition holds."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")
