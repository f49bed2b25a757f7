"""Demo content: a few parents' notification choices and quiet hours."""

from datetime import time

from schoolportal.core.models import User
from schoolportal.notifications.models import NotificationChoice, QuietHours

CHOICES = [  # (email, kind, channel)
    ("ouder.bakker@example.org", "surveys", "digest"),
    ("ouder.bakker@example.org", "school_news", "digest"),
    ("ouder.elmansouri@example.org", "meetings", "mail"),
    ("meester.ahmed@example.org", "consent", "digest"),
]
QUIET = [("ouder.elmansouri@example.org", time(22, 0), time(6, 30))]


def seed(today):
    """Store the choices (running it again adds nothing)."""
    emails = {email for email, *_rest in CHOICES + QUIET}
    users = {u.email: u.id for u in User.select().where(User.email.in_(list(emails)))}
    if len(users) < len(emails):
        return  # not the demo school
    NotificationChoice.insert_many([{"user": users[email], "kind": kind, "channel": channel}
                                    for email, kind, channel in CHOICES]
                                   ).on_conflict_ignore().execute()
    QuietHours.insert_many([{"user": users[email], "starts_at": starts, "ends_at": ends}
                            for email, starts, ends in QUIET]).on_conflict_ignore().execute()
