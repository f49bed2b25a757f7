"""Family erasure (issue 11): accounts deactivated at once, personal data removed later.

A family: a parent, their children, and the children's other guardians whose every child
is in it (one with another child keeps the account). `schedule` closes the accounts and
ends their sessions; `flask purge` carries it out ERASURE_DELAY_DAYS later unless cancelled:

- the children are deleted (the database cascades to guardianships, consent and its
  history, absences, leave, bookings, photo tags, invitations ...), and with them every
  photo in which one of them is tagged: rows and files, a photo of a child is theirs;
- the accounts stay, anonymised, where something must keep its shape: a reaction keeps
  its place with ERASED_TEXT and is shown as "deleted user", a message likewise (its
  attachments are deleted); what belongs only to them (answers, sign-ups, requests,
  sessions, devices, invitations, mail to them ...) is deleted, and every other
  reference to them becomes empty, as if the account had been deleted;
- files (profile photo, photos, attachments) are deleted from disk after the commit.

The "leavers" rule schedules the erasure of families whose children all left school more
than RETENTION_LEAVERS_DAYS ago. Every step is also written to the erasure journal
(journal.py), so a restore of an older backup erases the family again (replay.py).
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import SQL, IntegrityError, fn

from schoolportal.access.models import AccessRequest
from schoolportal.account import profile_photos
from schoolportal.albums.models import PHOTO_AREA, Album, Photo, PhotoTag
from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageAttachment,
)
from schoolportal.core import audit, media, retention
from schoolportal.core.database import write_transaction
from schoolportal.core.models import (
    ROLE_PARENT,
    AuditEntry,
    AuthSession,
    Guardianship,
    LoginAttempt,
    OutboxMail,
    Pupil,
    User,
    all_models,
    utcnow,
)
from schoolportal.family_data import journal
from schoolportal.family_data.models import CANCELLED, DONE, REASON_LEFT, SCHEDULED, Erasure
from schoolportal.feed.models import Comment
from schoolportal.imports.models import EdexmlImport, PupilImport
from schoolportal.meetings.models import SLOT_FREE, MeetingBooking, MeetingSlot
from schoolportal.onboarding.models import PasswordReset
from schoolportal.surveys.models import HelpCall, HelpSignup, SurveyRespondent, SurveyResponse

ERASED_TEXT = "—"  # what stays of an erased person's reaction or message: a neutral mark
MESSAGE_AREA = "messages"  # media area of message attachments (messaging.AREA)
# Rows that stay, pointing at the anonymised account ("deleted user").
KEEP_SHAPE = {(Comment, "author"), (Message, "author"), (Erasure, "account")}


class ErasureError(Exception):
    """An erasure that cannot be scheduled or cancelled; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Family:
    """The accounts and children an erasure or export is about."""

    guardians: list  # accounts erased with the family
    children: list
    kept: list  # other guardians who keep their account (they have another child)


def family_of(account):
    """The family around a parent account, in three queries."""
    children = list(Pupil.select().join(Guardianship).where(Guardianship.guardian == account)
                    .order_by(Pupil.first_name, Pupil.last_name))
    child_ids = {c.id for c in children}
    co_guardians = Guardianship.select(Guardianship.guardian).where(
        Guardianship.pupil.in_(list(child_ids)))
    links = Guardianship.select(Guardianship.guardian, Guardianship.pupil).where(
        Guardianship.guardian.in_(co_guardians)).tuples()
    kids = {}
    for guardian_id, pupil_id in links:
        kids.setdefault(guardian_id, set()).add(pupil_id)
    everyone = list(User.select().where(User.id.in_(list(kids) + [account.id]))
                    .order_by(User.display_name))
    erased = [u for u in everyone if u.id == account.id or kids[u.id] <= child_ids]
    kept = [u for u in everyone if u not in erased]
    return Family(erased, children, kept)


def schedule(account, reason, today, actor=None):
    """Deactivate the family's accounts now and schedule the rest; ErasureError if already."""
    family = family_of(account)
    ids = sorted(u.id for u in family.guardians)
    delay = current_app.config.get("ERASURE_DELAY_DAYS", 30)
    try:
        with write_transaction():
            erasure = Erasure.create(
                account=account.id, open_account=ids[0], reason=reason,
                account_ids=json.dumps(ids),
                pupil_ids=json.dumps(sorted(c.id for c in family.children)),
                reactivate_ids=json.dumps(sorted(u.id for u in family.guardians if u.active)),
                due_on=today + timedelta(days=delay), requested_by=actor)
            User.update(active=False).where(User.id.in_(ids)).execute()
            AuthSession.delete().where(AuthSession.user.in_(ids)).execute()
            audit.record("erasure", "erasure", erasure.id, actor=actor, step="scheduled",
                         reason=reason)
            journal.append(journal.entry(erasure, "scheduled"))  # on disk before the commit
    except IntegrityError as error:
        raise ErasureError(_l("This family is already scheduled for erasure.")) from error
    return erasure


def cancel(erasure, actor=None):
    """Call off a scheduled erasure and reactivate the accounts that were active."""
    with write_transaction():
        changed = Erasure.update(status=CANCELLED, cancelled_at=utcnow(), open_account=None).where(
            (Erasure.id == erasure.id) & (Erasure.status == SCHEDULED)).execute()
        if not changed:
            raise ErasureError(_l("This erasure has already been carried out or cancelled."))
        User.update(active=True).where(User.id.in_(json.loads(erasure.reactivate_ids))
                                       & User.erased_at.is_null()).execute()
        audit.record("erasure", "erasure", erasure.id, actor=actor, step="cancelled")
        line = journal.entry(erasure, "cancelled")
    # After the commit: a cancel that did not happen must never stop a replayed erasure.
    journal.append(line)


def scheduled():
    """Erasures waiting for their day, soonest first."""
    return Erasure.select().where(Erasure.status == SCHEDULED).order_by(Erasure.due_on, Erasure.id)


def carry_out(erasure, record=True):
    """Remove the family's personal data and files; False when it was no longer scheduled.

    `record` writes the erasure to the journal (a replay after a restore does not: its
    line is there already).
    """
    accounts, pupils = erasure.accounts, erasure.pupils
    with write_transaction():
        claimed = Erasure.update(status=DONE, done_at=utcnow(), open_account=None).where(
            (Erasure.id == erasure.id) & (Erasure.status == SCHEDULED)).execute()
        if not claimed:
            return False  # cancelled, or another purge got there first
        line = journal.entry(erasure, "done") if record else None  # before the rows go
        files = _remove_photos(pupils) + _remove_messages(accounts, pupils)
        _remove_mail_and_traces(accounts, pupils)
        _remove_own_rows(accounts, pupils)
        files += _anonymise(accounts)
        Pupil.delete().where(Pupil.id.in_(pupils)).execute()  # the database cascades
        audit.record("erasure", "erasure", erasure.id, step="done")
        if line is not None:
            journal.append(line)  # on disk before the commit: a restore can replay it
    for area, name in files:
        media.delete(area, name)
    return True


def _remove_photos(pupils):
    """Delete every photo in which an erased child is tagged; returns its files."""
    tagged = PhotoTag.select(PhotoTag.photo).where(PhotoTag.pupil.in_(pupils))
    photos = list(Photo.select(Photo.id, Photo.stem, Photo.widths).where(Photo.id.in_(tagged)))
    ids = [p.id for p in photos]
    Album.update(cover_photo_id=None).where(Album.cover_photo_id.in_(ids)).execute()
    Photo.delete().where(Photo.id.in_(ids)).execute()
    return [(PHOTO_AREA, name) for photo in photos for name in photo.file_names()]


def _remove_messages(accounts, pupils):
    """Conversations about the children go; their own messages keep only a mark."""
    about_children = Conversation.select(Conversation.id).where(Conversation.pupil.in_(pupils))
    attachments = MessageAttachment.select(MessageAttachment.id, MessageAttachment.name).join(
        Message).where(Message.author.in_(accounts) | Message.conversation.in_(about_children))
    found = list(attachments)
    MessageAttachment.delete().where(MessageAttachment.id.in_([a.id for a in found])).execute()
    Conversation.delete().where(Conversation.id.in_(about_children)).execute()
    Message.update(body=ERASED_TEXT).where(Message.author.in_(accounts)).execute()
    Conversation.update(subject=ERASED_TEXT).where(Conversation.started_by.in_(accounts)).execute()
    ConversationMember.delete().where(ConversationMember.user.in_(accounts)).execute()
    return [(MESSAGE_AREA, a.name) for a in found]


def _remove_mail_and_traces(accounts, pupils):
    """Mail, requests and previews that name the family, found by address or full name."""
    emails = [e for (e,) in User.select(User.email).where(User.id.in_(accounts)).tuples()]
    names = [n for (n,) in User.select(User.display_name).where(User.id.in_(accounts)).tuples()]
    children = list(Pupil.select(Pupil.first_name, Pupil.last_name).where(Pupil.id.in_(pupils)))
    names = [n for n in names + [c.full_name for c in children] if " " in n.strip()]

    def naming(*fields):
        """A filter for rows whose text holds one of the family's full names."""
        return reduce(or_, [f.contains(n) for f in fields for n in names], SQL("1 = 0"))

    OutboxMail.delete().where(OutboxMail.to_email.in_(emails) | naming(
        OutboxMail.subject, OutboxMail.body_text, OutboxMail.body_html)).execute()
    PupilImport.delete().where(PupilImport.applied_at.is_null() & naming(
        PupilImport.content)).execute()
    # An EDEXML preview keeps the names as JSON fields (edexml.Export.to_json).
    in_edexml = [EdexmlImport.content.contains(
        f'"first_name":{json.dumps(c.first_name, ensure_ascii=False)},'
        f'"last_name":{json.dumps(c.last_name, ensure_ascii=False)}') for c in children]
    EdexmlImport.delete().where(EdexmlImport.applied_at.is_null() & reduce(
        or_, in_edexml, SQL("1 = 0"))).execute()
    same_child = reduce(or_, [(AccessRequest.child_first_name == c.first_name)
                              & (AccessRequest.child_last_name == c.last_name)
                              for c in children], SQL("1 = 0"))
    AccessRequest.delete().where(AccessRequest.email.in_(emails) | AccessRequest.pupil.in_(pupils)
                                 | same_child).execute()
    PasswordReset.delete().where(PasswordReset.email.in_(emails)).execute()
    LoginAttempt.delete().where(LoginAttempt.email.in_(emails)).execute()


def _remove_own_rows(accounts, pupils):
    """Answers, sign-ups and bookings go; other references to the accounts become empty."""
    SurveyResponse.delete().where(SurveyResponse.account.in_(accounts)
                                  | SurveyResponse.pupil.in_(pupils)).execute()
    SurveyRespondent.delete().where(SurveyRespondent.account.in_(accounts)
                                    | SurveyRespondent.pupil.in_(pupils)).execute()
    theirs = HelpSignup.select(fn.COUNT(HelpSignup.id)).where(
        (HelpSignup.call == HelpCall.id) & HelpSignup.parent.in_(accounts))
    HelpCall.update(taken=HelpCall.taken - theirs).where(
        HelpCall.id.in_(HelpSignup.select(HelpSignup.call).where(
            HelpSignup.parent.in_(accounts)))).execute()
    bookings = MeetingBooking.select(MeetingBooking.slot).where(MeetingBooking.pupil.in_(pupils))
    MeetingSlot.update(status=SLOT_FREE).where(MeetingSlot.id.in_(bookings)).execute()
    MeetingBooking.delete().where(MeetingBooking.pupil.in_(pupils)).execute()
    Comment.update(body=ERASED_TEXT).where(Comment.author.in_(accounts)).execute()
    _as_if_deleted(accounts)


def _as_if_deleted(accounts):
    """Every other table: what the database would do if the accounts were deleted.

    Rows that exist for the account (CASCADE) are deleted, links to it (SET NULL) emptied;
    the audit log is left as it is (ids only, never changed) and KEEP_SHAPE rows stay.
    """
    for model in all_models():
        if model is AuditEntry:
            continue
        for field in model._meta.refs:
            if field.rel_model is not User or (model, field.name) in KEEP_SHAPE:
                continue
            if field.on_delete == "CASCADE":
                model.delete().where(field.in_(accounts)).execute()
            elif field.on_delete == "SET NULL":
                model.update({field: None}).where(field.in_(accounts)).execute()


def _anonymise(accounts):
    """The accounts keep their id and language, nothing that says who they were."""
    photos = [n for (n,) in User.select(User.photo).where(
        User.id.in_(accounts) & User.photo.is_null(False)).tuples()]
    User.update(
        email=SQL("'erased-' || CAST(id AS VARCHAR(20)) || '@invalid'"), display_name="",
        password_hash=None, photo=None, active=False, last_login_at=None,
        mail_notifications="never", erased_at=utcnow(),
    ).where(User.id.in_(accounts)).execute()
    return [("profiles", f"{name}-{size}.webp") for name in photos
            for size in profile_photos.SIZES]


def leaver_families(today):
    """Account ids per family whose children all left school more than the retention ago."""
    cutoff = today - timedelta(days=current_app.config.get("RETENTION_LEAVERS_DAYS", 365))
    staying = Guardianship.select(Guardianship.guardian).join(Pupil).where(
        Pupil.left_on.is_null() | (Pupil.left_on >= cutoff))
    links = (Guardianship.select(Guardianship.guardian, Guardianship.pupil).join(User)
             .where((User.role == ROLE_PARENT) & User.erased_at.is_null()
                    & Guardianship.guardian.not_in(staying)).tuples())
    # Never twice: not while scheduled, nor after an admin cancelled it.
    waiting = {i for e in Erasure.select(Erasure.account_ids) for i in e.accounts}
    families, by_pupil = [], {}
    for guardian_id, pupil_id in links:  # guardians who share a child are one family
        if guardian_id in waiting:
            continue
        family = by_pupil.get(pupil_id) or next((f for f in families if guardian_id in f), None)
        if family is None:
            family = set()
            families.append(family)
        family.add(guardian_id)
        by_pupil[pupil_id] = family
    return [sorted(f) for f in families]


def schedule_leavers(today):
    """Schedule the erasure of every leaver family; returns how many were scheduled."""
    done = 0
    for ids in leaver_families(today):
        try:
            schedule(User.get_by_id(ids[0]), REASON_LEFT, today)
            done += 1
        except ErasureError:
            continue  # scheduled meanwhile, by an admin or another worker
    return done


@retention.rule("erasures", _l("Family erasures"), _l(
    "When a family is erased, their accounts are closed at once; their personal data, "
    "photos and files are removed on the day shown with each erasure."),
    setting=("ERASURE_DELAY_DAYS", 30))
class ErasureRule:
    """Carries out the erasures whose day has come."""

    @staticmethod
    def due(today):
        """How many erasures the next purge carries out."""
        return scheduled().where(Erasure.due_on <= today)

    @staticmethod
    def purge(today):
        """Carry out every erasure whose day has come."""
        return sum(carry_out(e) for e in list(scheduled().where(Erasure.due_on <= today)))


@retention.rule("leavers", _l("Families who left"), _l(
    "Families whose children all left school more than a year ago are scheduled for "
    "erasure automatically."),
    setting=("RETENTION_LEAVERS_DAYS", 365))
class LeaverRule:
    """Schedules the erasure of families who left school long enough ago."""

    @staticmethod
    def due(today):
        """How many families the next purge schedules for erasure."""
        return len(leaver_families(today))

    @staticmethod
    def purge(today):
        """Schedule their erasure (carried out after ERASURE_DELAY_DAYS)."""
        return schedule_leavers(today)
