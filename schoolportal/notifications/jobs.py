"""The notifications' work: pushes every worker round, the daily summary, and old rows."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from schoolportal.core import retention
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow
from schoolportal.notifications import delivery, digest
from schoolportal.notifications.models import Notice, PushDelivery, PushSubscription

KEEP_DAYS = 30  # delivered pushes and notices that went out
DEVICE_DAYS = 365  # a device that received nothing for a year is forgotten


def _silent_devices():
    """Devices that have received no push for DEVICE_DAYS (a filter)."""
    limit = utcnow() - timedelta(days=DEVICE_DAYS)
    return (PushSubscription.created_at < limit) & (
        PushSubscription.last_success_at.is_null() | (PushSubscription.last_success_at < limit))


@retention.rule("push", _l("Push notifications"), _l(
    "Pushes that were delivered (or given up) and notices that went out are deleted after 30 "
    "days; a device that received nothing for a year is forgotten."), setting=(None, KEEP_DAYS))
class PushRetention:
    """Old deliveries and notices, and devices silent for a year."""

    @staticmethod
    def due(today):
        """How many rows the next purge removes."""
        limit = retention.limit("push")
        return (PushDelivery.select().where((PushDelivery.status != "pending")
                                            & (PushDelivery.created_at < limit)),
                Notice.select().where(Notice.released_at < limit),
                PushSubscription.select().where(_silent_devices()))

    @staticmethod
    def purge(today):
        """Remove them; returns how many."""
        with write_transaction():
            gone = delivery.purge_delivered(KEEP_DAYS)
            return gone + PushSubscription.delete().where(_silent_devices()).execute()


ROUND_JOBS = {"pushes": delivery.run_round}
DAILY_JOBS = {"notification-digest": digest.send_digests}
RETENTION_RULES = (PushRetention,)
