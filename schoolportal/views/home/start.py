"""The home page: what matters today for this parent, teacher or office."""

from flask_login import current_user

from schoolportal import authz
from schoolportal.core import hooks, worker
from schoolportal.core.models import School
from schoolportal.core.rendering import render_page
from schoolportal.home import service
from schoolportal.views.home import bp


@bp.get("/")
@authz.signed_in
def index():
    """Each role gets its own home page."""
    user = current_user._get_current_object()  # the cards read it often: not through the proxy
    if user.is_parent:  # first: the children and their teachers in one statement
        children, staff_by_group = authz.children_with_staff(user, hooks.CHILD_COLUMNS)
    else:  # first: the groups with their numbers of pupils in one statement
        _groups, pupil_counts = authz.groups_with_pupil_counts(user)
    groups = authz.visible_group_list(user)
    context = {"school": School.current(), "groups": groups, "today": worker.school_today(),
               "panels": hooks.panels_for(user)}
    if user.is_parent:
        return render_page("home/parent.html", children=children,
                           staff_by_group=staff_by_group, **context)
    if user.is_staff:
        return render_page("home/staff.html", pupil_counts=pupil_counts, **context)
    return render_page("home/admin.html", pupil_counts=pupil_counts,
                       totals=service.school_totals(), **context)

