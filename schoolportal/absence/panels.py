"""Where absence shows up outside its own pages: the menu badge and the home-page cards.

Parents get a card per child with the one-tap "report sick"; teachers see who is away today
in their groups; the office sees today's count and the leave requests waiting.
"""

from flask_babel import lazy_gettext as _l

from schoolportal import authz
from schoolportal.absence import policy, service
from schoolportal.absence.forms import QuickSickForm
from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.core.hooks import Count, HomePanel, NavItem, Rows
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, ROLES
from schoolportal.core.prepared import prepared


def child_cards(children, today, message=None, kind="success", reports=None):
    """Per child: the report covering today, the ones ahead and the one-tap form (one query,
    or none with `reports`: the rows of AbsenceReport.not_over for these children).

    `message` is shown on the card of the first child (the one an action was about).
    """
    children = list(children)
    ongoing = service.ongoing_by_pupil([child.id for child in children], today, reports)
    quick_day = service.sick_report_day()
    cards = []
    for child in children:
        reports = ongoing[child.id]
        current = next((r for r in reports if service.covers(r, today)), None)
        covered = any(service.covers(r, quick_day) for r in reports)
        form = QuickSickForm(formdata=None).fresh_key()
        cards.append({
            "pupil": child, "current": current, "quick_form": form, "today": today,
            "quick_day": None if covered else quick_day,
            "ahead": [r for r in reports if r is not current][:3],
            "may_change": current is not None and not service.has_begun(current),
            "message": message if not cards else None, "kind": kind,
        })
    return cards


def _parent_panel(user):
    """The home card: each child, with "report sick" or how the reported absence stands."""
    # = policy.reporting_children for a parent (the only role with this panel), shared with
    # the other panels of the page
    children = authz.visible_pupil_list(user)
    if not children:
        return None
    today = service.school_today()
    return {"children": children, "today": today, "reports": Rows(
        _not_over([child.id for child in children], today))}


_not_over = prepared(AbsenceReport.not_over)  # each parent's home page asks


def _parent_cards(values):
    return {"cards": child_cards(values["children"], values["today"],
                                 reports=values["reports"])}


def _absent_today(user, **counts):
    """Today's reports and approved leave of the pupils this user follows, and `counts`."""
    reports, leave = service.absent_queries(policy.absence_pupil_ids(user),
                                            service.school_today())
    return {"reports": Rows(reports), "leave": Rows(leave), **counts}


def _staff_panel(user):
    """The home card for teachers: who is away today in their groups, with the reasons."""
    today = service.school_today()
    return _absent_today(user, unseen=Count(AbsenceReport.unseen(
        policy.absence_pupil_ids(user), today)))


def _staff_card(values):
    return {"absent": service.in_school_order(values["reports"], values["leave"]),
            "unseen": values["unseen"]}


def _admin_panel(user):
    """The home card for the office: how many are away today, how much leave waits."""
    return _absent_today(user, pending_leave=Count(LeaveRequest.pending()))


def _admin_card(values):
    absent = service.in_school_order(values["reports"], values["leave"])
    return {"absent_count": len(absent), "late_count": sum(1 for a in absent if a.late),
            "pending_leave": values["pending_leave"]}


def _badge(user):
    """Teachers: reports nobody has marked seen; the office: leave requests waiting."""
    if user.role == ROLE_STAFF:
        return AbsenceReport.unseen(policy.absence_pupil_ids(user), service.school_today())
    if user.role == ROLE_ADMIN:
        return LeaveRequest.pending()
    return 0


NAV_ITEMS = (NavItem("absence.index", _l("Absence"), order=20, badge=_badge,
                     tab_roles=ROLES, tab_label=_l("Absent"), icon="absent"),)
HOME_PANELS = (
    HomePanel((ROLE_PARENT,), "partials/absence/home_parent.html", 5, _parent_panel,
              _parent_cards),
    HomePanel((ROLE_STAFF,), "partials/absence/home_staff.html", 5, _staff_panel, _staff_card),
    HomePanel((ROLE_ADMIN,), "partials/absence/home_admin.html", 5, _admin_panel, _admin_card),
)
