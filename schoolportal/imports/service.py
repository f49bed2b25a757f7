"""Importing pupils and guardians from the school administration's CSV file.

`preview` works out what a file would change and writes nothing; `confirm` applies exactly
that in one transaction once the admin agreed. The leerlingnummer is a pupil's natural
key, so importing the same file again changes nothing and sends nothing. New guardians of
pupils aged 4 or older are invited at once; the others get their account and the link to
their child now, and the daily job below invites them when the child turns 4. Writes are
bulk inserts and batched updates: no query per row.
"""

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, chunked

from schoolportal.core import outbox, worker
from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_PARENT, Guardianship, Pupil, School, User, utcnow
from schoolportal.imports.models import EdexmlImport, PupilImport, PupilKey
from schoolportal.imports.plan import (
    BATCH,
    four_cutoff,
    invitation_day,
    plan_for,
    pupils_by_number,
    where_in,
)
from schoolportal.invitations import service as invitations_service
from schoolportal.invitations.models import Invitation

PREVIEW_HOURS = 24  # an unconfirmed upload is forgotten after this


def preview(data, today):
    """The plan for an upload's bytes (see imports/plan.py); nothing is written."""
    return plan_for(data, today)


def clean_file_name(name):
    """The uploaded file's name, fit to show: printable and at most 100 characters."""
    return "".join(c for c in name or "" if c.isprintable())[:100] or "import.csv"


class PreviewChanged(Exception):
    """The file would now do something else than its preview showed; carries the new plan."""

    def __init__(self, plan):
        """Keep the fresh plan for showing it again."""
        super().__init__("the preview is out of date")
        self.plan = plan


def keep_preview(plan, file_name, admin):
    """Store a file without errors until the admin confirms it; returns its PupilImport."""
    with write_transaction():
        PupilImport.delete().where(
            PupilImport.applied_at.is_null()
            & (PupilImport.created_at < utcnow() - timedelta(hours=PREVIEW_HOURS))
        ).execute()
        return PupilImport.create(
            key=secrets.token_urlsafe(32), uploaded_by=admin, content=plan.text,
            file_name=clean_file_name(file_name),
            plan_digest=plan.digest(),
        )


def confirm(pupil_import, admin, today):
    """Apply a previewed file exactly as shown; returns the plan, or None if already applied.

    Raises PreviewChanged (and changes nothing) when the file would now do something else.
    """
    try:
        with write_transaction():
            claimed = PupilImport.update(applied_at=utcnow(), content="").where(
                (PupilImport.id == pupil_import.id) & PupilImport.applied_at.is_null()
            ).execute()
            if claimed != 1:
                return None  # a second click, or the back button
            plan = preview(pupil_import.content.encode("utf-8"), today)
            if not plan.ok or plan.digest() != pupil_import.plan_digest:
                raise PreviewChanged(plan)  # leaving the block undoes the claim
            _apply(plan, admin)
            return plan
    except PreviewChanged as changed:
        if changed.plan.ok:  # the fresh preview may be confirmed in its turn
            PupilImport.update(plan_digest=changed.plan.digest()).where(
                PupilImport.id == pupil_import.id).execute()
        raise


def _apply(plan, admin):
    """Write the plan with bulk statements and queue its mails (inside the transaction)."""
    _insert(Pupil, [{"pupil_number": p.number, "first_name": p.first_name,
                     "last_name": p.last_name, "birth_date": p.birth_date, "group": p.group.id}
                    for p in plan.new_pupils])
    _update_pupils(plan.updated)
    _insert(User, [{"email": email, "display_name": email.split("@")[0][:100],
                    "role": ROLE_PARENT, "password_hash": None} for email in plan.new_accounts])
    pupils = pupils_by_number({line.number for _email, line in plan.links})
    users = {u.email: u for u in where_in(
        User.select(), User.email, {email for email, _line in plan.links})}
    _insert(Guardianship, [{"guardian": users[email].id, "pupil": pupils[line.key].id}
                           for email, line in plan.links])
    school = School.current()
    pairs = [(users[email], pupils[line.key]) for email, line in plan.invitations.items()]
    invitations_service.invite_many(pairs, admin, school)
    for email, line in plan.notices:
        pupil = pupils[line.key]
        outbox.send(users[email], "invitations/child_linked",
                    _l("%(child)s is linked to your account", child=pupil.first_name),
                    pupil=pupil, school=school)


def _insert(model, rows):
    """Insert rows in batches, skipping those whose unique key appeared meanwhile."""
    for batch in chunked(rows, BATCH):
        model.insert_many(batch).on_conflict_ignore().execute()


def _update_pupils(updated):
    """Give changed pupils their new name, birth date and group, a batch per statement."""
    pupils = []
    for line, pupil, _changes in updated:
        pupil.first_name, pupil.last_name = line.first_name, line.last_name
        pupil.birth_date, pupil.group = line.birth_date, line.group
        pupils.append(pupil)
    if pupils:
        Pupil.bulk_update(pupils, fields=[Pupil.first_name, Pupil.last_name, Pupil.birth_date,
                                          Pupil.group], batch_size=BATCH)


def invite_four_year_olds(today=None):
    """Invite guardians whose invitation waited for the child's start date or 4th birthday."""
    today = today or worker.school_today()
    with write_transaction():
        links = _links_waiting_for_start(today)
        pairs = {}
        for link in links:
            pairs.setdefault(link.guardian.id, (link.guardian, link.pupil))  # eldest child
        invitations_service.invite_many(list(pairs.values()), None, School.current())
    return len(pairs)


def _links_waiting_for_start(today):
    """Links to a pupil whose invitation day came, made before that day, to an uninvited guardian.

    The invitation day is the start date (instroomdatum) from the administration's EDEXML
    export when known, else the 4th birthday. The guardian has no password and no used or
    open invitation, and has not been invited since the link was made: an invitation that
    expired or was revoked is not sent again every day. Links made on or after that day
    are not waiting (the invitation went out then, or staff chose otherwise).
    """
    starts = PupilKey.starts_on
    candidates = [link for link in (
        Guardianship.select(Guardianship, User, Pupil, PupilKey)
        .join(User).switch(Guardianship).join(Pupil)
        .join(PupilKey, JOIN.LEFT_OUTER, on=(PupilKey.pupil == Pupil.id), attr="edex_key")
        .where((User.role == ROLE_PARENT) & (User.active == True)  # noqa: E712
               & User.password_hash.is_null() & Pupil.at_school(today)
               & ((starts.is_null() & (Pupil.birth_date <= four_cutoff(today)))
                  | (starts <= today)))
        .order_by(User.id, Pupil.birth_date, Pupil.id)
    ) if link.created_at.date() < _invitation_day_of(link.pupil)]
    now, invited_since = utcnow(), {}  # account id -> its latest invitation that counts
    for invitation in where_in(Invitation.select(), Invitation.user,
                               {link.guardian.id for link in candidates}):
        still_works = invitation.revoked_at is None and invitation.expires_at > now
        latest = datetime.max if invitation.used_at or still_works else invitation.created_at
        invited_since[invitation.user_id] = max(
            latest, invited_since.get(invitation.user_id, datetime.min))
    return [link for link in candidates
            if invited_since.get(link.guardian.id, datetime.min) < link.created_at]


def _invitation_day_of(pupil):
    """The invitation day of a pupil loaded with its administration key (if any)."""
    key = getattr(pupil, "edex_key", None)
    return invitation_day(pupil.birth_date, key.starts_on if key is not None else None)


def forget_old_previews():
    """Delete uploads (CSV and EDEXML) never confirmed: they hold pupils' personal data."""
    before = utcnow() - timedelta(hours=PREVIEW_HOURS)
    with write_transaction():
        return PupilImport.delete().where(
            PupilImport.applied_at.is_null() & (PupilImport.created_at < before)
        ).execute() + EdexmlImport.delete().where(
            EdexmlImport.applied_at.is_null() & (EdexmlImport.created_at < before)
        ).execute()
