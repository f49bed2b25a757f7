"""What each user chose: a channel per kind of notification, and quiet hours.

No stored row means the default. Until someone saves the Meldingen screen, the default
follows the older single mail choice (User.mail_notifications), so nobody hears more or
less than before: "immediately" becomes push (mail for those without a device), "daily"
the daily digest for news and messages (for the other kinds "daily" always meant at once),
"never" off. Parents have quiet hours from 21:00 to 07:00 unless they change them; staff
have none by default (their working hours hold pushes back instead).
"""

from datetime import time

from flask_babel import lazy_gettext as _l

from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, User, utcnow
from schoolportal.notifications.models import NotificationChoice, QuietHours

PUSH, MAIL, DIGEST, OFF = "push", "mail", "digest", "off"
CHANNELS = (
    (PUSH, _l("Push notification")),
    (MAIL, _l("Email")),
    (DIGEST, _l("Daily summary")),
    (OFF, _l("Off")),
)
STAFF = (ROLE_ADMIN, ROLE_STAFF)
# kind: (label, who gets this kind, whether "daily" in the old mail choice meant a digest)
KINDS = {
    "group_news": (_l("News in my child's group"), (ROLE_PARENT,), True),
    "school_news": (_l("School-wide news"), (ROLE_PARENT,), True),
    "messages": (_l("Messages"), (ROLE_PARENT, *STAFF), True),
    "meetings": (_l("Meetings"), (ROLE_PARENT, *STAFF), False),
    "surveys": (_l("Surveys and calls for help"), (ROLE_PARENT,), False),
    "absence": (_l("Absence reports"), STAFF, False),
    "consent": (_l("Photo consent changes"), STAFF, False),
}
PARENT_QUIET_HOURS = (time(21, 0), time(7, 0))


def kinds_for(user):
    """The kinds this user can be told about, in screen order: [(kind, label)]."""
    return [(kind, label) for kind, (label, roles, _daily) in KINDS.items() if user.role in roles]


def default_channel(user, kind):
    """The channel when the user never chose one for this kind (see the module docstring)."""
    old = user.mail_notifications
    if old == "never":
        return OFF
    if old == "daily" and KINDS[kind][2]:
        return DIGEST
    return PUSH


def channels_of(users, kind):
    """{user id: channel} for these users and one kind, in one query."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    users = list(users)
    chosen = dict(NotificationChoice.select(NotificationChoice.user, NotificationChoice.channel)
                  .where((NotificationChoice.kind == kind)
                         & NotificationChoice.user.in_([u.id for u in users] or [0])).tuples())
    return {u.id: chosen.get(u.id) or default_channel(u, kind) for u in users}


def choices_of(user):
    """{kind: channel} for every kind this user can be told about."""
    chosen = dict(NotificationChoice.select(NotificationChoice.kind, NotificationChoice.channel)
                  .where(NotificationChoice.user == user.id).tuples())
    return {kind: chosen.get(kind) or default_channel(user, kind) for kind, _ in kinds_for(user)}


def users_choosing(kind, channel):
    """A filter on User: those whose channel for this kind is `channel` (stored or default)."""
    stored = NotificationChoice.select(NotificationChoice.user).where(
        NotificationChoice.kind == kind)
    chosen = NotificationChoice.select(NotificationChoice.user).where(
        (NotificationChoice.kind == kind) & (NotificationChoice.channel == channel))
    old = {OFF: ["never"], DIGEST: ["daily"] if KINDS[kind][2] else [],
           PUSH: ["immediately"] + ([] if KINDS[kind][2] else ["daily"]), MAIL: []}[channel]
    return User.id.in_(chosen) | (User.id.not_in(stored) & User.mail_notifications.in_(
        old or ["-"]))


def quiet_hours_of(users):
    """{user id: (starts, ends) or None} in local time, in one query."""
    users = list(users)
    stored = {row.user_id: row for row in QuietHours.select().where(
        QuietHours.user.in_([u.id for u in users] or [0]))}
    found = {}
    for user in users:
        row = stored.get(user.id)
        if row is None:
            found[user.id] = PARENT_QUIET_HOURS if user.role == ROLE_PARENT else None
        elif row.starts_at is None or row.ends_at is None:
            found[user.id] = None
        else:
            found[user.id] = (as_time(row.starts_at), as_time(row.ends_at))
    return found


def save(user, channels, quiet):
    """Store the user's channel per kind and quiet hours ((starts, ends) or None), at once."""
    now = utcnow()
    with write_transaction():
        NotificationChoice.delete().where(NotificationChoice.user == user.id).execute()
        NotificationChoice.insert_many([{"user": user.id, "kind": kind, "channel": channel}
                                        for kind, channel in channels.items()]).execute()
        starts, ends = quiet or (None, None)
        values = {QuietHours.starts_at: starts, QuietHours.ends_at: ends,
                  QuietHours.updated_at: now}
        QuietHours.insert({QuietHours.user: user.id, **values}).on_conflict(
            conflict_target=[QuietHours.user], update=values).execute()


def as_time(value):
    """A TimeField value as datetime.time (SQLite may hand back a string)."""
    if isinstance(value, str):
        parts = [int(p) for p in value.split(".")[0].split(":")]
        return time(*parts[:3])
    return value
