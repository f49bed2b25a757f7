"""Absence's daily work: the purge of old reports, and the retention rule behind it."""

from flask_babel import lazy_gettext as _l
from peewee import fn

from schoolportal.absence import service
from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.core import retention


@retention.rule("absence", _l("Absence details"), _l(
    "Absence reports (with their reasons) and leave requests are deleted the set number of "
    "days after the end of the school year in which they ended, with the mails about them."),
    setting=("ABSENCE_RETENTION_DAYS", 365))
class AbsenceRetention:
    """Wraps service.purge: reports and leave requests past retention."""

    @staticmethod
    def due(today):
        """How many reports and leave requests the next purge deletes."""
        last = service.purge_before(today)
        reports = AbsenceReport.select().where(
            fn.COALESCE(AbsenceReport.ends_on, AbsenceReport.starts_on) <= last)
        return reports, LeaveRequest.select().where(LeaveRequest.ends_on <= last)

    @staticmethod
    def purge(today):
        """Delete them (and the mails about them); returns reports plus leave requests."""
        removed = service.purge(today)
        return removed["reports"] + removed["leave"]


DAILY_JOBS = {"absence_purge": service.purge_job}
RETENTION_RULES = (AbsenceRetention,)
