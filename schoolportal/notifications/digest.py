"""The daily summary mail: one mail per user with the notices they chose to get that way."""

from flask import g
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from schoolportal.core import outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import School, User, utcnow
from schoolportal.notifications.models import Notice


def send_digests(now=None):
    """Mail every user their waiting digest notices at once; returns how many mails."""
    now = now or utcnow()
    with write_transaction():
        rows = list(Notice.select(Notice, User).join(User, JOIN.INNER).where(
            (Notice.channel == "digest") & Notice.released_at.is_null()
            & (Notice.not_before <= now) & (User.active == True)  # noqa: E712
        ).order_by(Notice.user, Notice.id))
        if not rows:
            return 0
        by_user = {}
        for row in rows:
            by_user.setdefault(row.user_id, (row.user, []))[1].append(row)
        if "school" not in g:
            g.school = School.current()
        base = outbox.absolute_url("home.index").rstrip("/")
        for user, notices in by_user.values():
            outbox.send(user, "notifications/digest", _l("Your daily summary"), school=g.school,
                        items=[(n.title, n.body, base + n.url) for n in notices],
                        settings_url=outbox.absolute_url("notifications.settings"))
        Notice.update(released_at=now).where(Notice.id.in_([r.id for r in rows])).execute()
    return len(by_user)
