"""The home page: what matters today for this parent, teacher or office."""

from flask import Blueprint
from flask_login import current_user

from .. import authz, hooks
from ..models import Group, GroupStaff, Pupil, School, User
from ..rendering import render_page

bp = Blueprint("home", __name__)


@bp.get("/")
@authz.signed_in
def index():
    """Each role gets its own home page."""
    groups = list(authz.visible_groups(current_user))
    context = {"school": School.current(), "groups": groups,
               "panels": hooks.panels_for(current_user)}
    if current_user.is_parent:
        return render_page("home/parent.html", children=list(authz.visible_pupils(current_user)),
                           staff_by_group=GroupStaff.staff_by_group(groups), **context)
    if current_user.is_staff:
        return render_page("home/staff.html", pupil_counts=Pupil.count_by_group(groups),
                           **context)
    return render_page("home/admin.html", pupil_counts=Pupil.count_by_group(groups),
                       totals=_school_totals(), **context)


def _school_totals():
    """How many groups, pupils and active accounts per role the school has."""
    roles = User.count_by_role()
    pupils = Pupil.select().where(Pupil.at_school()).count()
    return {"groups": Group.select().count(), "pupils": pupils, **roles}
