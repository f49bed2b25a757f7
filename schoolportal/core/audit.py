"""The audit log: `record` adds an entry in the caller's transaction; nothing changes one.

Actions (codes, shown translated on the admin page):
    consent_change  a child's photo consent changed (subject: pupil)
    absence_view    staff opened absence details (subject: pupil or the day overview)
    export          a family's data was exported (subject: account)
    role_change     an account's role or activation changed (subject: account)
    erasure         a family was scheduled for erasure or erased (subject: erasure)
    new_device      someone logged in from a browser not seen before (subject: account)
    rollover        the school year was rolled over (subject: none)
    urgent_post     an urgent post went to every parent, past quiet hours (subject: post)
    passkey         a passkey was added or removed (subject: account)
    second_factor   a second factor was set up, used up, removed or reset (subject: account)
    restore         the portal was restored from a backup (subject: none)
Details hold ids and codes only, never names or free text.
"""

import json
from datetime import timedelta

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from schoolportal.core.models import AuditEntry, utcnow

ACTIONS = {
    "consent_change": _l("Photo consent changed"),
    "absence_view": _l("Absence details viewed"),
    "export": _l("Family data exported"),
    "role_change": _l("Role or access changed"),
    "erasure": _l("Family erased"),
    "new_device": _l("Login from a new device"),
    "rollover": _l("School year rolled over"),
    "urgent_post": _l("Urgent post sent"),
    "passkey": _l("Passkey added or removed"),
    "second_factor": _l("Second factor changed"),
    "restore": _l("Restored from a backup"),
}


def record(action, subject_type="", subject_id=None, actor=None, **details):
    """Add an entry (call inside the transaction that does the action)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    return AuditEntry.create(
        actor=actor.id if actor is not None else None,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=json.dumps(details, sort_keys=True, default=str),
    )


def purge_before(days):
    """Remove entries older than `days` days (retention); returns how many went."""
    limit = utcnow() - timedelta(days=days)
    return AuditEntry.delete().where(AuditEntry.at < limit).execute()
