"""The retention rules for absence details, photos, messages, the audit log, sent mail and
known devices (other areas register theirs: coaching footage, leavers, erasures).

Every rule counts what is due with one query and removes it in one transaction; files are
deleted after the rows are gone, so a rolled-back purge never leaves a row without its file.
`SETTINGS` names the setting behind each rule, for the retention page and the README.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import fn

from . import absences, audit, devices, media, retention
from .database import write_transaction
from .messaging import AREA as MESSAGES_AREA
from .models.absence import AbsenceReport, LeaveRequest
from .models.audit import AuditEntry, KnownDevice
from .models.base import utcnow
from .models.conversations import Conversation, Message, MessageAttachment
from .models.mail import MAIL_SENT, OutboxMail
from .models.photos import PHOTO_AREA, Album, Photo

# Rule key -> (setting, default in days). Rules of other areas are listed too, for the page.
SETTINGS = {
    "absence": ("ABSENCE_RETENTION_DAYS", 365),
    "photos": ("RETENTION_PHOTOS_DAYS", 2 * 365),
    "messages": ("RETENTION_MESSAGES_DAYS", 2 * 365),
    "audit": ("RETENTION_AUDIT_DAYS", 3 * 365),
    "sent_mail": ("RETENTION_SENT_MAIL_DAYS", 90),
    "devices": (None, devices.COOKIE_AGE.days),
    "leavers": ("RETENTION_LEAVERS_DAYS", 365),
    "erasures": ("ERASURE_DELAY_DAYS", 30),
    "coaching": ("COACHING_MAX_DAYS", 365),
}


def setting_of(key):
    """(setting name or None, its current value in days, or None) for a rule key."""
    name, default = SETTINGS.get(key, (None, None))
    if name is None:
        return None, default
    return name, int(current_app.config.get(name, default))


def _limit(key):
    """The moment before which this rule's data goes (now minus its setting)."""
    return utcnow() - timedelta(days=setting_of(key)[1])


@retention.rule("absence", _l("Absence details"), _l(
    "Absence reports (with their reasons) and leave requests are deleted the set number of "
    "days after the end of the school year in which they ended, with the mails about them."))
class AbsenceRetention:
    """Wraps absences.purge: reports and leave requests past retention."""

    @staticmethod
    def due(today):
        """How many reports and leave requests the next purge deletes."""
        last = absences.purge_before(today)
        reports = AbsenceReport.select().where(
            fn.COALESCE(AbsenceReport.ends_on, AbsenceReport.starts_on) <= last).count()
        return reports + LeaveRequest.select().where(LeaveRequest.ends_on <= last).count()

    @staticmethod
    def purge(today):
        """Delete them (and the mails about them); returns reports plus leave requests."""
        removed = absences.purge(today)
        return removed["reports"] + removed["leave"]


@retention.rule("photos", _l("Photo albums"), _l(
    "Albums are deleted with all their photos the set number of days after they were made. "
    "Every stored size of every photo is deleted from disk."))
class PhotoRetention:
    """Albums older than RETENTION_PHOTOS_DAYS, their photos and the photos' files."""

    @staticmethod
    def _old_albums():
        """The albums past retention (a subquery of ids)."""
        return Album.select(Album.id).where(Album.created_at < _limit("photos"))

    @staticmethod
    def due(today):
        """How many photos the next purge deletes."""
        return Photo.select().where(Photo.album.in_(PhotoRetention._old_albums())).count()

    @staticmethod
    def purge(today):
        """Delete the albums and photos, then their files; returns the number of photos."""
        with write_transaction():
            old = PhotoRetention._old_albums()
            photos = list(Photo.select(Photo.id, Photo.stem, Photo.widths)
                          .where(Photo.album.in_(old)))
            Photo.delete().where(Photo.album.in_(old)).execute()
            Album.delete().where(Album.id.in_(old)).execute()
        for photo in photos:
            for name in photo.file_names():
                media.delete(PHOTO_AREA, name)
        return len(photos)


@retention.rule("messages", _l("Messages"), _l(
    "A conversation is deleted with its messages and attached files the set number of days "
    "after its last message."))
class MessageRetention:
    """Conversations whose last message is older than RETENTION_MESSAGES_DAYS."""

    @staticmethod
    def _old_conversations():
        """The conversations past retention (a subquery of ids)."""
        return Conversation.select(Conversation.id).where(
            Conversation.last_message_at < _limit("messages"))

    @staticmethod
    def due(today):
        """How many conversations the next purge deletes."""
        return MessageRetention._old_conversations().count()

    @staticmethod
    def purge(today):
        """Delete the conversations (messages cascade), then the files; returns how many."""
        with write_transaction():
            old = MessageRetention._old_conversations()
            files = [row.name for row in MessageAttachment.select(MessageAttachment.name)
                     .join(Message).where(Message.conversation.in_(old))]
            removed = Conversation.delete().where(Conversation.id.in_(old)).execute()
        for name in files:
            media.delete(MESSAGES_AREA, name)
        return removed


@retention.rule("audit", _l("Audit log"), _l(
    "Entries in the audit log are deleted the set number of days after they were written. "
    "Nobody can change or delete an entry before then."))
class AuditRetention:
    """Audit entries older than RETENTION_AUDIT_DAYS."""

    @staticmethod
    def due(today):
        """How many entries the next purge deletes."""
        return AuditEntry.select().where(AuditEntry.at < _limit("audit")).count()

    @staticmethod
    def purge(today):
        """Delete them; returns how many."""
        with write_transaction():
            return audit.purge_before(setting_of("audit")[1])


@retention.rule("sent_mail", _l("Sent email"), _l(
    "Mails the portal has sent are deleted from the outbox the set number of days after "
    "they were sent."))
class SentMailRetention:
    """Outbox rows sent more than RETENTION_SENT_MAIL_DAYS ago."""

    @staticmethod
    def _old():
        """The condition on outbox rows past retention."""
        return (OutboxMail.status == MAIL_SENT) & (OutboxMail.sent_at < _limit("sent_mail"))

    @staticmethod
    def due(today):
        """How many mails the next purge deletes."""
        return OutboxMail.select().where(SentMailRetention._old()).count()

    @staticmethod
    def purge(today):
        """Delete them; returns how many."""
        with write_transaction():
            return OutboxMail.delete().where(SentMailRetention._old()).execute()


@retention.rule("devices", _l("Known devices"), _l(
    "A browser someone logged in from is forgotten when it has not been used for a year "
    "(its cookie has expired by then)."))
class DeviceRetention:
    """Known devices not seen for as long as the device cookie lives."""

    @staticmethod
    def due(today):
        """How many devices the next purge forgets."""
        return KnownDevice.select().where(KnownDevice.last_seen_at < _limit("devices")).count()

    @staticmethod
    def purge(today):
        """Forget them; returns how many."""
        with write_transaction():
            return devices.forget_unused(setting_of("devices")[1])
