"""What makes the portal installable: the manifest, the service worker and the offline page.

All three are public and hold nothing personal: the service worker keeps only these and the
static files, never a page someone is logged in to (see templates/webapp/sw.js).
"""

import hashlib

from flask import jsonify, make_response, render_template, url_for

from schoolportal import authz
from schoolportal.core import assets
from schoolportal.core.models import School
from schoolportal.views.webapp import bp
from schoolportal.webapp import manifest as app_manifest


@bp.get("/manifest.webmanifest")
@authz.public
def manifest():
    """The web app manifest (Dutch name, icons, standalone)."""
    school = School.current()
    response = jsonify(app_manifest.manifest(school.name if school else "Schoolportaal",
                                             url_for))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
@authz.public
def service_worker():
    """The service worker, from the site root so that it looks after every page."""
    urls = assets.precache_urls(url_for)
    version = hashlib.sha256(" ".join(urls).encode()).hexdigest()[:10]
    body = render_template("webapp/sw.js", assets=urls, version=version,
                           offline_url=url_for(".offline"))
    response = make_response(body)
    response.mimetype = "text/javascript"
    # The browser checks for a new worker at every visit; it must never use an old copy.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@authz.public
def offline():
    """What the app shows when the network is gone (kept by the service worker)."""
    return render_template("webapp/offline.html")
