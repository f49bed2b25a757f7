"""The slips' work in the background: reminders, checked every worker round, and retention.

Reminders are a round job rather than a daily one: the "morning" reminder goes on the
deadline's morning (from eight, school time), not at the first round after midnight; the
sent-log makes each rule go once, however often the round runs.
"""

from flask_babel import lazy_gettext as _l

from schoolportal.core import retention
from schoolportal.slips import keeping, reminders


@retention.rule("slips", _l("Forms and their answers"), _l(
    "Permission slips and sign-up forms, with every answer (which may hold allergies) and "
    "the reminder log, are deleted the set number of days after their deadline."),
    setting=("SLIP_RETENTION_DAYS", 365))
class SlipRetention:
    """Wraps keeping.purge: slips past retention."""

    @staticmethod
    def due(today):
        """How many slips the next purge deletes."""
        return keeping.old_slips(today).count()

    @staticmethod
    def purge(today):
        """Delete them; returns how many."""
        return keeping.purge(today)


ROUND_JOBS = {"slip_reminders": reminders.send_due_reminders}
RETENTION_RULES = (SlipRetention,)
