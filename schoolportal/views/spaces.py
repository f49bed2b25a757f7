"""The spaces: the school-wide space and one space per group."""

from flask import Blueprint, request
from flask_login import current_user

from .. import authz
from ..models import GroupStaff, Pupil, School
from ..rendering import render_page

bp = Blueprint("spaces", __name__)


@bp.get("/school")
@authz.signed_in
def school():
    """The school-wide space, open to everyone with an account."""
    return render_page("spaces/school.html", school=School.current())


@bp.get("/groups/<int:group_id>")
@authz.signed_in
def group(group_id):
    """A group's space; its pupil list can be filtered (htmx swaps only the list)."""
    group = authz.visible_group_or_404(current_user, group_id)
    query = (request.args.get("q") or "").strip()[:100]
    pupils = authz.pupils_in_group_visible_to(current_user, group)
    if query:
        pupils = pupils.where(Pupil.matches(query))
    return render_page(
        "spaces/group.html",
        "partials/spaces/pupils.html",
        group=group,
        pupils=list(pupils),
        query=query,
        staff=GroupStaff.staff_by_group([group])[group.id],
        sees_whole_class=authz.may_manage_group(current_user, group),
    )
