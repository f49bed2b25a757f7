"""The demo school's second factor: juf Marloes has been asked for ten days already.

Juf Sanne, meester Ahmed and the office start their grace period at their first login, so
a freshly seeded demo lets them in with their password alone (the demo accounts are a
contract); Marloes shows what the reminder looks like when the deadline comes near.
"""

from datetime import UTC, datetime, time, timedelta

from schoolportal.auth.models import SecondFactorObligation
from schoolportal.core.models import User

ASKED_SINCE_DAYS = 10


def seed(today):
    """Start juf Marloes's grace period ten days ago (once)."""
    marloes = User.get_or_none(User.email == "juf.marloes@example.org")
    if marloes is None:
        return
    since = datetime.combine(today - timedelta(days=ASKED_SINCE_DAYS), time(7, 45), tzinfo=UTC)
    SecondFactorObligation.insert(user=marloes.id, applies_since=since.replace(tzinfo=None)) \
        .on_conflict_ignore().execute()
