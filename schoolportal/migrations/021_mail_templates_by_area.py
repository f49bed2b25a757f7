"""Mail templates moved into one folder per area (data only, no schema change).

`outbox_mail.template` names the template a mail was rendered from; the retention purge
finds absence mails by it. Rows written before the move carry the old flat names, so they
are renamed here, or the purge would keep old absence mails (with reasons) too long.
"""

import peewee as pw
from peewee_migrate import Migrator

RENAMED = {
    "absence_report": "absence/report",
    "absence_withdrawn": "absence/withdrawn",
    "leave_decided": "absence/leave_decided",
    "access_rejected": "access/rejected",
    "call_reminder": "surveys/call_reminder",
    "survey_message": "surveys/message",
    "survey_reminder": "surveys/reminder",
    "child_linked": "invitations/child_linked",
    "invitation": "invitations/invitation",
    "consent_changed": "consent/changed",
    "consent_reminder": "consent/reminder",
    "meeting_cancelled": "meetings/cancelled",
    "meeting_confirmed": "meetings/confirmed",
    "meeting_offer": "meetings/offer",
    "meeting_picked": "meetings/picked",
    "meeting_published": "meetings/published",
    "meeting_reminder": "meetings/reminder",
    "meeting_request": "meetings/request",
    "message_digest": "conversations/digest",
    "message_new": "conversations/new",
    "password_changed": "account/password_changed",
    "password_reset": "onboarding/password_reset",
    "post_digest": "feed/digest",
    "post_published": "feed/published",
}


def _rename(database, pairs):
    """Rename template names in the outbox, old -> new."""
    for old, new in pairs:
        database.execute_sql("UPDATE outbox_mail SET template = %s WHERE template = %s"
                             .replace("%s", database.param), (new, old))


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Give old outbox rows the new template names."""
    migrator.run(_rename, database, RENAMED.items())


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Give them the old names back."""
    migrator.run(_rename, database, [(new, old) for old, new in RENAMED.items()])
