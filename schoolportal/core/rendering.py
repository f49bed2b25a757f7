"""Full page or fragment, and the headers every response carries."""

from urllib.parse import urlsplit

from flask import make_response, render_template, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def wants_fragment():
    """True for an htmx request that is not boosted and not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def current_path():
    """The path of the page the user looks at (for htmx requests: the page that sent it)."""
    sent_from = request.headers.get("HX-Current-URL") if wants_fragment() else None
    return urlsplit(sent_from).path if sent_from else request.path


def render_page(page, fragment=None, status=200, update_nav=True, **context):
    """Render the page, or only its fragment when htmx asks for one.

    A fragment answering an htmx action (not a GET) brings the menus' counters along
    (out-of-band), so a badge never stays stale after "seen", "answered" or "booked".
    An action that changes no counter says `update_nav=False` and spares the queries
    (a tap in the meeting grid at 19:00: about a third of its time).
    """
    fragment_only = fragment and wants_fragment()
    body = render_template(fragment if fragment_only else page, **context)
    if (fragment_only and update_nav and request.method != "GET"
            and current_user.is_authenticated):
        body += render_template("partials/nav_update.html")
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def add_security_headers(response):
    """After each request: CSP, no sniffing, no framing, no referrer leaks, no caching."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
        # Pages hold personal data: never keep them in a shared or back-button cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def initials(name):
    """The avatar's letters of a name: the first and last capitalised words' first letters
    ("Sanne de Vries" -> "SV"), or the name's first letter in capitals."""
    letters = [word[:1] for word in name.split() if word[:1].isupper()]
    letters = letters or [name[:1].upper()]
    return letters[0] + (letters[-1] if len(letters) > 1 else "")
