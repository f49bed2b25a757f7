"""The retention rules for absence details, photos, messages, the audit log, sent mail and
known devices (other areas register theirs: coaching footage, leavers, erasures).

Every rule counts what is due with one query and removes it in one transaction; files are
deleted after the rows are gone, so a rolled-back purge never leaves a row without its file.
Each rule names the setting behind it, for the retention page and the README.
"""

from flask_babel import lazy_gettext as _l

from schoolportal.auth import devices
from schoolportal.core import audit, retention
from schoolportal.core.database import write_transaction
from schoolportal.core.models import MAIL_SENT, AuditEntry, KnownDevice, OutboxMail


@retention.rule("audit", _l("Audit log"), _l(
    "Entries in the audit log are deleted the set number of days after they were written. "
    "Nobody can change or delete an entry before then."),
    setting=("RETENTION_AUDIT_DAYS", 3 * 365))
class AuditRetention:
    """Audit entries older than RETENTION_AUDIT_DAYS."""

    @staticmethod
    def due(today):
        """How many entries the next purge deletes."""
        return AuditEntry.select().where(AuditEntry.at < retention.limit("audit"))

    @staticmethod
    def purge(today):
        """Delete them; returns how many."""
        with write_transaction():
            return audit.purge_before(retention.setting_of("audit")[1])


@retention.rule("sent_mail", _l("Sent email"), _l(
    "Mails the portal has sent are deleted from the outbox the set number of days after "
    "they were sent."),
    setting=("RETENTION_SENT_MAIL_DAYS", 90))
class SentMailRetention:
    """Outbox rows sent more than RETENTION_SENT_MAIL_DAYS ago."""

    @staticmethod
    def _old():
        """The condition on outbox rows past retention."""
        return ((OutboxMail.status == MAIL_SENT)
                & (OutboxMail.sent_at < retention.limit("sent_mail")))

    @staticmethod
    def due(today):
        """How many mails the next purge deletes."""
        return OutboxMail.select().where(SentMailRetention._old())

    @staticmethod
    def purge(today):
        """Delete them; returns how many."""
        with write_transaction():
            return OutboxMail.delete().where(SentMailRetention._old()).execute()


@retention.rule("devices", _l("Known devices"), _l(
    "A browser someone logged in from is forgotten when it has not been used for a year "
    "(its cookie has expired by then)."),
    setting=(None, devices.COOKIE_AGE.days))
class DeviceRetention:
    """Known devices not seen for as long as the device cookie lives."""

    @staticmethod
    def due(today):
        """How many devices the next purge forgets."""
        return KnownDevice.select().where(
            KnownDevice.last_seen_at < retention.limit("devices"))

    @staticmethod
    def purge(today):
        """Forget them; returns how many."""
        with write_transaction():
            return devices.forget_unused(retention.setting_of("devices")[1])


RETENTION_RULES = (AuditRetention, SentMailRetention, DeviceRetention)
