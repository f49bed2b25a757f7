"""Static files with their content in the link: `css/app.css` is linked as `css/app.css?v=<hash>`.

The hash changes whenever the file's bytes change, so browsers (and the service worker's
cache) may keep a versioned link for a year without ever showing a stale stylesheet: nginx
serves /static/ with `Cache-Control: max-age=31536000, immutable` (docs/deploy), and so does
the app itself when it serves a link whose version matches the file. A plain link, written
by hand, gets the short default lifetime; a version from before a deploy gets `no-cache`.
The hash is worked out once per file version (size and modification time say when again).
"""

import hashlib
import os
from pathlib import Path
from stat import S_ISREG

from flask import current_app, request, send_from_directory
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
# What the service worker keeps for offline use: the look of the pages, never a page itself.
PRECACHED = ("css/*.css", "js/*.js", "icons/*.svg", "icons/icon-192.png")
_VERSIONS = {}


def version_of(folder, filename):
    """The first 10 hex digits of the file's SHA-256, or None when there is no such file."""
    path = safe_join(str(folder), filename)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(found.st_mode):
        return None
    key = (path, found.st_mtime_ns, found.st_size)
    if key not in _VERSIONS:
        _VERSIONS[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]
    return _VERSIONS[key]


def precache_urls(url_for):
    """The versioned URLs of the static files the service worker keeps."""
    folder = Path(current_app.static_folder)
    names = sorted({p.relative_to(folder).as_posix()
                    for pattern in PRECACHED for p in folder.glob(pattern)})
    return [url_for("static", filename=name) for name in names]


def register(app, public):
    """Link static files with their version and serve versioned links with a year's lifetime."""

    @app.url_defaults
    def versioned_static(endpoint, values):
        """Every url_for('static', ...) gets ?v=<hash of the file>."""
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        version = version_of(app.static_folder, values["filename"])
        if version:
            values["v"] = version

    @public
    def static(filename):
        """A static file; a link whose version matches the file is cached for a year."""
        response = send_from_directory(app.static_folder, filename)
        asked = request.args.get("v")
        if asked:
            current = version_of(app.static_folder, filename)
            response.headers["Cache-Control"] = (
                f"public, max-age={YEAR}, immutable" if asked == current
                else "no-cache")  # a page from before a deploy asks for the old bytes
        return response

    app.view_functions["static"] = static
