"""The demo school's audit log: a few entries, so the admin's page shows what it records.

Added only while the log is empty, so running seed-demo again adds nothing.
"""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schoolportal.core.models import AuditEntry, Pupil, User

PEOPLE = ("directie@example.org", "juf.sanne@example.org", "ouder.jansen@example.org")


def _utc(day, hour, minute):
    """A moment at the school (Europe/Amsterdam) as stored: naive UTC."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Amsterdam"))
    return local.astimezone(UTC).replace(tzinfo=None)


def seed(today):
    """Logins from new devices, the office's day overview and a teacher reading a report."""
    people = {u.email: u for u in User.select().where(User.email.in_(PEOPLE))}
    sem = Pupil.get_or_none(Pupil.pupil_number == "RB-1001")
    if len(people) < len(PEOPLE) or sem is None or AuditEntry.select().where(
            AuditEntry.action == "new_device").exists():
        return  # not the demo school, or someone has logged in already
    director, sanne, jansen = (people[e] for e in PEOPLE)
    yesterday = today - timedelta(days=1)
    rows = [
        (jansen, "new_device", "user", jansen.id, {}, _utc(yesterday, 19, 12)),
        (director, "absence_view", "absence_day", None, {"day": yesterday.isoformat()},
         _utc(yesterday, 8, 40)),
        (sanne, "new_device", "user", sanne.id, {}, _utc(today, 7, 55)),
        (sanne, "absence_view", "pupil", sem.id, {}, _utc(today, 8, 2)),
    ]
    AuditEntry.insert_many([
        {"actor": actor.id, "actor_role": actor.role, "action": action, "subject_type": kind,
         "subject_id": subject, "details": json.dumps(details), "at": at}
        for actor, action, kind, subject, details, at in sorted(rows, key=lambda r: r[5])
    ]).execute()
