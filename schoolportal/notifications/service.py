"""Tell users about something, through the channel each of them chose.

The one call other areas make, inside the transaction of the event itself:

    from schoolportal.notifications import service as notifications

    told = notifications.notify(
        teachers, "absence",                       # who, and what kind (choices.KINDS)
        title=_l("Absence report in %(group)s", group=group.name),   # lazy: each user's language
        url=url_for("absence.report", report_id=report.id),          # a path; a tap opens it
        mail=lambda teacher: outbox.send(teacher, "absence/report", ...),
    )

- push: a Notice is written now; the worker sends it to each of the user's devices once the
  user's quiet hours (parents: 21:00-07:00 by default) and, for staff, working hours allow.
  A user who chose push but has no device gets `mail(user)` instead.
- mail: `mail(user)` is called (queue it with core.outbox in the same transaction).
- digest: a Notice for the daily summary mail, unless the area keeps its own digest
  (`own_digest=True`, as the feed and conversations do).
- off: nothing.
`urgent=True` skips quiet hours, working hours and the digest: a push to every device now,
and mail to everyone. `at` (naive UTC) delays everything to that moment (a scheduled post);
`source` ("post:12") lets `withdraw(source)` take back what has not gone yet.
Titles and bodies are shown on a lock screen: never an absence reason or a message's text.
Returns {channel: [users]}, so the caller knows whom it reached how.
"""

from flask import current_app
from flask_babel import force_locale

from schoolportal.conversations.directory import hours_of
from schoolportal.core.models import ROLE_PARENT, utcnow
from schoolportal.notifications import choices, timing
from schoolportal.notifications.models import Notice, PushSubscription

TITLE_MAX, BODY_MAX = 200, 200


def notify(users, kind, title, url, *, body="", mail=None, own_digest=False, urgent=False,
           at=None, source=""):
    """Tell these users about one thing of this kind (see the module docstring)."""
    users = list({user.id: user for user in users}.values())
    told = {choices.PUSH: [], choices.MAIL: [], choices.DIGEST: [], choices.OFF: []}
    if not users:
        return told
    now = utcnow()
    at = max(at or now, now)
    channels = choices.channels_of(users, kind)
    with_device = {row[0] for row in PushSubscription.select(PushSubscription.user).where(
        PushSubscription.user.in_([u.id for u in users])).tuples()}
    quiet = {} if urgent else choices.quiet_hours_of(users)
    working = {} if urgent else hours_of([u.id for u in users if u.role != ROLE_PARENT])
    notices = []
    for user in users:
        channel = channels[user.id]
        if urgent:
            if user.id in with_device:
                told[choices.PUSH].append(user)
                notices.append(_notice(user, kind, choices.PUSH, title, body, url, source, at,
                                       at, urgent=True))
            told[choices.MAIL].append(user)
            continue
        if channel == choices.PUSH and user.id not in with_device:
            channel = choices.MAIL
        told[channel].append(user)
        if channel == choices.PUSH:
            due = timing.hold_until(at, quiet.get(user.id), working.get(user.id))
            notices.append(_notice(user, kind, channel, title, body, url, source, at, due))
        elif channel == choices.DIGEST and not own_digest:
            notices.append(_notice(user, kind, channel, title, body, url, source, at, at))
    if notices:
        Notice.insert_many(notices).execute()
    if mail is not None:
        for user in told[choices.MAIL]:
            mail(user)
    return told


def _notice(user, kind, channel, title, body, url, source, at, due, urgent=False):
    """The row for one notice, its texts rendered in the user's language."""
    with force_locale(user.language or "nl"):
        title_text, body_text = str(title)[:TITLE_MAX], str(body or "")[:BODY_MAX]
    return {"user": user.id, "kind": kind, "channel": channel, "title": title_text,
            "body": body_text, "url": url, "source": source[:40], "urgent": urgent,
            "held": due > at, "created_at": utcnow(), "not_before": due}


def withdraw(source):
    """Take back the notices of `source` that have not gone out yet (a post changed)."""
    return Notice.delete().where((Notice.source == source)
                                 & Notice.released_at.is_null()).execute()


def link(endpoint, **values):
    """The path of a page, for a push's tap (works outside requests, like in the worker)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def has_device(user):
    """True when the user turned notifications on for at least one device."""
    return PushSubscription.select().where(PushSubscription.user == user.id).exists()
