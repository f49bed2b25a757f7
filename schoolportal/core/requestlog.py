"""One structured log line per request: method, endpoint, status, duration and user id.

A line is JSON, so a log collector can count and filter without parsing prose:

    {"event": "request", "at": "2026-12-04T07:58:01Z", "method": "POST",
     "endpoint": "absence.report", "status": 303, "ms": 41.2, "user": 17}

It never holds the path or query string (a search can be a child's name), the network
address, names, email addresses or reasons: ids and codes only, like the audit log.
"""

import json
import logging
import sys
import time

from flask import g, request

from schoolportal.core.clock import utc_now

LOGGER = logging.getLogger("schoolportal.requests")


def register(app):
    """Time every request and write its line when the response leaves."""
    if not app.config.get("TESTING"):  # tests turn it on where they read it (caplog)
        LOGGER.setLevel(logging.INFO)
        if not any(isinstance(h, _StandardError) for h in LOGGER.handlers):
            handler = _StandardError()
            handler.setFormatter(logging.Formatter("%(message)s"))
            LOGGER.addHandler(handler)
            LOGGER.propagate = False  # not once more through Flask's "schoolportal" logger
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_log_response)


class _StandardError(logging.StreamHandler):
    """Lines to stderr: journald under systemd, the log file of the production test."""

    @property
    def stream(self):
        """Whatever sys.stderr is now (a test runner swaps it)."""
        return sys.stderr

    @stream.setter
    def stream(self, value):
        """StreamHandler sets it once; the property above ignores that."""


def _start_clock():
    """Remember when the request began (the first before-request hook of all)."""
    g.request_started = time.perf_counter()


def _log_response(response):
    """Write the request's line; the user is the one this request already loaded, if any."""
    started = g.get("request_started")
    user = g.get("_login_user")  # set by Flask-Login only when the request looked: no query
    LOGGER.info(json.dumps({
        "event": "request",
        "at": utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": request.method,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user": getattr(user, "id", None),
    }, separators=(", ", ": ")))
    return response
