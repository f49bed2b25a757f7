"""Where absence shows up outside its own pages: the menu badge and the home-page cards.

Parents get a card per child with the one-tap "report sick"; teachers see who is away today
in their groups; the office sees today's count and the leave requests waiting.
"""

from flask_babel import lazy_gettext as _l

from .. import absences, authz, hooks
from ..forms.absence import QuickSickForm
from ..models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF
from ..models.absence import AbsenceReport, LeaveRequest


def child_cards(children, today, message=None, kind="success"):
    """Per child: the report covering today, the ones ahead and the one-tap form (one query).

    `message` is shown on the card of the first child (the one an action was about).
    """
    children = list(children)
    ongoing = absences.ongoing_by_pupil([child.id for child in children], today)
    cards = []
    for child in children:
        reports = ongoing[child.id]
        current = next((r for r in reports if absences.covers(r, today)), None)
        form = QuickSickForm(formdata=None).fresh_key()
        cards.append({
            "pupil": child, "current": current, "quick_form": form,
            "ahead": [r for r in reports if r is not current][:3],
            "may_change": current is not None and not absences.has_begun(current),
            "message": message if not cards else None, "kind": kind,
        })
    return cards


def _parent_panel(user):
    """The home card: each child, with "report sick" or how the reported absence stands."""
    children = list(authz.reporting_children(user))
    if not children:
        return None
    return {"cards": child_cards(children, absences.school_today())}


def _staff_panel(user):
    """The home card for teachers: who is away today in their groups, with the reasons."""
    today = absences.school_today()
    pupils = authz.absence_pupil_ids(user)
    return {"absent": absences.absent_on(pupils, today),
            "unseen": AbsenceReport.unseen(pupils, today).count()}


def _admin_panel(user):
    """The home card for the office: how many are away today, how much leave waits."""
    today = absences.school_today()
    absent = absences.absent_on(authz.absence_pupil_ids(user), today)
    return {"absent_count": len(absent), "late_count": sum(1 for a in absent if a.late),
            "pending_leave": LeaveRequest.pending().count()}


def _badge(user):
    """Teachers: reports nobody has marked seen; the office: leave requests waiting."""
    if user.role == ROLE_STAFF:
        return AbsenceReport.unseen(authz.absence_pupil_ids(user), absences.school_today()).count()
    if user.role == ROLE_ADMIN:
        return LeaveRequest.pending().count()
    return 0


hooks.nav_item("absence.index", _l("Absence"), order=20, badge=_badge)
hooks.home_panel((ROLE_PARENT,), "partials/absence/home_parent.html", order=5)(_parent_panel)
hooks.home_panel((ROLE_STAFF,), "partials/absence/home_staff.html", order=5)(_staff_panel)
hooks.home_panel((ROLE_ADMIN,), "partials/absence/home_admin.html", order=5)(_admin_panel)
