"""Who may see and change absence reports and leave requests."""

from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.authz import (
    found_or_404,
    is_guardian_of,
    may_manage_group,
    nothing,
    own_children_ids,
    real_id_or_404,
    staffed_group_ids,
    visible_pupils,
)
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Pupil


def absence_pupil_ids(user):
    """Subquery: pupils whose absences and leave (with reasons) this user may see.

    Reasons are health data: only the child's guardians, the staff of the child's group
    and admins see them. Admins also see pupils who left (the attendance record).
    """
    if user.role == ROLE_ADMIN:
        return Pupil.select(Pupil.id)
    if user.role == ROLE_STAFF:
        return Pupil.select(Pupil.id).where(Pupil.group.in_(staffed_group_ids(user)))
    if user.role == ROLE_PARENT:
        return own_children_ids(user)
    return nothing(Pupil.select(Pupil.id))


def reporting_children(user):
    """The children a parent may report absent or ask leave for: their own, at school."""
    query = visible_pupils(user)
    return query if user.role == ROLE_PARENT else nothing(query)


def absence_report_or_404(user, report_id):
    """One report, with its people, for those who may see it; 404 otherwise."""
    return found_or_404(AbsenceReport.with_people().where(
        (AbsenceReport.id == real_id_or_404(report_id))
        & AbsenceReport.pupil.in_(absence_pupil_ids(user))).first())


def leave_request_or_404(user, leave_id):
    """One leave request, with its people, for those who may see it; 404 otherwise."""
    return found_or_404(LeaveRequest.with_people().where(
        (LeaveRequest.id == real_id_or_404(leave_id))
        & LeaveRequest.pupil.in_(absence_pupil_ids(user))).first())


def may_change_absence(user, report):
    """The child's guardians correct or withdraw a report (until it begins: `absences`)."""
    return is_guardian_of(user, report.pupil_id)


def may_acknowledge_absence(user, report):
    """The staff of the child's group (and admins) mark a report seen."""
    return may_manage_group(user, report.pupil.group_id)


def may_end_absence(user, report):
    """Guardians say "better again"; the teacher or office may too (the child is in class)."""
    return may_change_absence(user, report) or may_acknowledge_absence(user, report)


def may_withdraw_leave(user, leave):
    """The child's guardians take back a leave request (while it is pending)."""
    return is_guardian_of(user, leave.pupil_id)


def may_decide_leave(user):
    """Extraordinary leave is decided by the director (admins)."""
    return user.role == ROLE_ADMIN


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "absence_report": (AbsenceReport, absence_report_or_404),
    "leave_request": (LeaveRequest, leave_request_or_404),
}
