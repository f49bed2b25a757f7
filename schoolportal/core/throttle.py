"""Login throttling that one network address cannot turn against a whole school.

Failures are counted in the database, so every gunicorn worker sees the same count, and
an unknown address is counted exactly like a known one (no hint which accounts exist).
Three counts, over the last LOGIN_THROTTLE_MINUTES (OWASP ASVS 2.2.1):

- per account and network address: after LOGIN_MAX_FAILURES_PER_ACCOUNT failures, that
  address must wait for that account (someone guessing from the school's NAT address does
  not lock the teacher out at home);
- per account from anywhere: after LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE failures the
  account waits everywhere (a guesser with many addresses gets at most that many tries);
- per network address: past LOGIN_MAX_FAILURES_PER_ADDRESS failures, the address must wait
  only for accounts that have failures of their own. An account without failures is never
  refused its correct password because of others' failures from the same address (one
  school behind one NAT address), while someone trying many accounts from one address
  gets one guess per account. A password reset clears the account's failures.
"""

from datetime import timedelta

from flask import current_app, request
from peewee import Case, fn

from schoolportal.core.models import LoginAttempt, normalize_email, utcnow


def _window_start():
    """The oldest failure that still counts."""
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])


def _counted(condition):
    """SUM of 1 for the rows meeting the condition (0 when none)."""
    return fn.COALESCE(fn.SUM(Case(None, [(condition, 1)], 0)), 0)


def failures(email, ip):
    """(from this address for this account, for this account, from this address), one query."""
    email = normalize_email(email)[:254]
    ip = ip[:45]
    mine, here = LoginAttempt.email == email, LoginAttempt.ip == ip
    row = (LoginAttempt.select(_counted(mine & here), _counted(mine), _counted(here))
           .where((LoginAttempt.created_at > _window_start()) & (mine | here)).tuples().get())
    return tuple(int(value or 0) for value in row)


def is_throttled(email, ip):
    """True when this account must wait before trying again from this network address."""
    config = current_app.config
    account_here, account, address = failures(email, ip)
    if account_here >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    if account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE"]:
        return True
    return address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"] and account > 0


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
