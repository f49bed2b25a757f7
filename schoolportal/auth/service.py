"""Logging in: a new server-side session, the failures forgotten, the device recognised.

Staff and admins with a second factor log in in two steps: the password (or nothing, with
a passkey that is itself two factors) and then the second factor. Between the steps the
browser's signed session holds only who typed the right password and when, for
SECOND_STEP_SECONDS; no server-side session exists yet.
"""

import time

from flask import request, session
from flask_login import login_user

from schoolportal.auth import devices, passwords, second_factor
from schoolportal.core import sessions, throttle
from schoolportal.core.database import write_transaction
from schoolportal.core.models import User, utcnow

SECOND_STEP = "second_factor_pending"
SECOND_STEP_SECONDS = 300
SETUP = "second_factor_setup"  # in the session when staff must set a second factor up first


def log_in(user, password=None):
    """Throw away the anonymous session and open a new server-side one (login, activation).

    `password` is the one just typed, if any: a hash made with weaker settings is upgraded.
    Returns second_factor.OK, ASK (staff without a second factor, within the grace period)
    or REQUIRED (past it: the session may only set one up, see views/auth/second_step.py).
    """
    session.clear()  # a fresh session id at login (no session fixation)
    with write_transaction():
        throttle.clear_failures(user.email)
        second_factor.clear_failures(user)
        sessions.start(user, request.user_agent.string)
        devices.recognise(user)  # a browser not seen before goes into the audit log
        changes = {User.last_login_at: utcnow()}
        if password is not None and passwords.needs_rehash(user.password_hash):
            changes[User.password_hash] = passwords.hash_password(password)
        User.update(changes).where(User.id == user.id).execute()
        state = second_factor.state_at_login(user)
    login_user(user)
    if state == second_factor.REQUIRED:
        session[SETUP] = state
    return state


def needs_second_step(user):
    """True when the password is not enough for this account (staff with a second factor)."""
    return second_factor.applies_to(user) and second_factor.has_factor(user)


def start_second_step(user, next_url):
    """Remember, for a few minutes, that this browser typed the user's right password."""
    session.clear()
    session[SECOND_STEP] = {"user": user.id, "at": int(time.time()), "next": next_url or ""}


def second_step_user():
    """The active account waiting for its second factor in this browser, or None."""
    pending = session.get(SECOND_STEP)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if time.time() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        session.pop(SECOND_STEP, None)
        return None
    return User.get_or_none((User.id == pending["user"]) & (User.active == True))  # noqa: E712


def finish_second_step(user):
    """Log the user in after the second factor; returns where they were going (or "")."""
    next_url = (session.get(SECOND_STEP) or {}).get("next", "")
    log_in(user)
    return next_url
