"""Login throttling: too many failures per address typed or per network address wait.

Failures are counted in the database, so every gunicorn worker sees the same count, and
an unknown address is counted exactly like a known one (no hint which accounts exist).
"""

from datetime import timedelta

from flask import current_app, request

from .models import LoginAttempt, normalize_email, utcnow


def _window_start():
    """The oldest failure that still counts."""
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])


def is_throttled(email, ip):
    """True when this address or this network address must wait before trying again."""
    config = current_app.config
    since = _window_start()
    recent = LoginAttempt.select().where(LoginAttempt.created_at > since)
    by_email = recent.where(LoginAttempt.email == normalize_email(email)[:254]).count()
    if by_email >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    by_ip = recent.where(LoginAttempt.ip == ip).count()
    return by_ip >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def record_failure(email, ip):
    """Count one failed login."""
    LoginAttempt.create(email=normalize_email(email)[:254], ip=ip[:45])


def clear_failures(email):
    """Forget the failures for an address after a successful login."""
    LoginAttempt.delete().where(LoginAttempt.email == normalize_email(email)).execute()


def purge_old_attempts():
    """Delete failures older than the window; they no longer count for anything."""
    return LoginAttempt.delete().where(LoginAttempt.created_at <= _window_start()).execute()


def client_ip():
    """The network address of the request (ProxyFix has handled trusted proxies)."""
    return request.remote_addr or "unknown"
