"""Administration of pupils: the list, a pupil's page, moving, leaving school, guardians."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin import policy, service
from schoolportal.admin.forms import ConfirmForm, LeaveForm, MoveForm, PupilForm, group_choices
from schoolportal.admin.models import PupilMove
from schoolportal.admin.service import AdministrationError
from schoolportal.core.models import Group, Pupil
from schoolportal.core.rendering import render_page
from schoolportal.views.admin import bp
from schoolportal.views.admin.groups import open_groups, ordered_groups

LIST_LIMIT = 200  # a whole school is up to 1,000 pupils: pick a group or search


@bp.get("/admin/pupils")
@authz.admin_only
def pupils():
    """Pupils at school, per group, filtered by name (htmx swaps only the list)."""
    group_id = request.args.get("group", type=int)
    if group_id is not None and not 0 < group_id < 2**63:
        group_id = None  # not an id any group can have
    query = (request.args.get("q") or "").strip()[:100]
    pupils = policy.administered_pupils(current_user).where(Pupil.at_school())
    if group_id:
        pupils = pupils.where(Pupil.group == group_id)
    if query:
        pupils = pupils.where(Pupil.matches(query))
    found = pupils.count()
    pupils = pupils.order_by(Group.sort_order, Group.name, Pupil.last_name, Pupil.first_name)
    return render_page(
        "admin/pupils.html", "partials/admin/pupils.html",
        pupils=list(pupils.limit(LIST_LIMIT)), found=found, limit=LIST_LIMIT, query=query,
        group_id=group_id, groups=ordered_groups(),
    )


@bp.get("/admin/pupils/left")
@authz.admin_only
def pupils_left():
    """Pupils who left school, most recent first."""
    pupils = policy.administered_pupils(current_user).where(~Pupil.at_school()).order_by(
        Pupil.left_on.desc(), Pupil.last_name, Pupil.first_name)
    return render_page("admin/pupils_left.html", pupils=list(pupils.limit(500)))


@bp.get("/admin/pupils/new")
@authz.admin_only
def new_pupil():
    """The form for a new pupil."""
    return _pupil_form_page(_pupil_form(group=request.args.get("group", type=int)), None)


@bp.post("/admin/pupils/new")
@authz.admin_only
def create_pupil():
    """Add the pupil; a pupil number already in use is refused by the database."""
    form = _pupil_form()
    pupil = _save_pupil(form, None)
    if pupil is None:
        return _pupil_form_page(form, None, status=422)
    flash(_("%(name)s has been added.", name=pupil.full_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


@bp.get("/admin/pupils/<int:pupil_id>")
@authz.admin_only
def pupil(pupil_id):
    """A pupil: details, guardians and where each stands, moving and leaving."""
    return _pupil_page(policy.administered_pupil_or_404(current_user, pupil_id))


@bp.get("/admin/pupils/<int:pupil_id>/edit")
@authz.admin_only
def edit_pupil(pupil_id):
    """The form to correct a pupil's details."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    return _pupil_form_page(_pupil_form(obj=pupil, edit=True), pupil)


@bp.post("/admin/pupils/<int:pupil_id>/edit")
@authz.admin_only
def update_pupil(pupil_id):
    """Save the pupil's details."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    form = _pupil_form(edit=True)
    if _save_pupil(form, pupil) is None:
        return _pupil_form_page(form, pupil, status=422)
    flash(_("The details of %(name)s have been saved.", name=pupil.first_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


@bp.post("/admin/pupils/<int:pupil_id>/move")
@authz.admin_only
def move_pupil(pupil_id):
    """Move a pupil at school to another group."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    form = MoveForm()
    form.group.choices = group_choices(policy.administered_groups(current_user))
    if not form.validate_on_submit():
        return _pupil_page(pupil, move_form=form, status=422)
    if not service.move_pupil(pupil, form.group.data, current_user):
        form.form_errors.append(_("A pupil who left school cannot be moved."))
        return _pupil_page(pupil, move_form=form, status=409)
    flash(_("%(name)s has been moved.", name=pupil.full_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


@bp.post("/admin/pupils/<int:pupil_id>/leave")
@authz.admin_only
def pupil_leaves(pupil_id):
    """Record the day a pupil leaves; from then on parents and teachers no longer see them."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    form = LeaveForm()
    if not form.validate_on_submit():
        return _pupil_page(pupil, leave_form=form, status=422)
    if not service.leave_school(pupil, form.left_on.data):
        form.form_errors.append(_("This pupil already has a leaving date."))
        return _pupil_page(pupil, leave_form=form, status=409)
    flash(_("%(name)s leaves school.", name=pupil.full_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


@bp.post("/admin/pupils/<int:pupil_id>/return")
@authz.admin_only
def pupil_returns(pupil_id):
    """Undo leaving school (a mistake, or the child comes back)."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    if service.return_to_school(pupil):
        flash(_("%(name)s is at school again.", name=pupil.full_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


@bp.get("/admin/pupils/<int:pupil_id>/guardians/<int:guardian_id>/unlink")
@authz.admin_only
def confirm_unlink(pupil_id, guardian_id):
    """Ask before removing a guardian from a pupil."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    link = policy.administered_guardianship_or_404(current_user, pupil, guardian_id)
    return render_page("admin/unlink.html", pupil=pupil, guardian=link.guardian,
                       form=ConfirmForm(formdata=None))


@bp.post("/admin/pupils/<int:pupil_id>/guardians/<int:guardian_id>/unlink")
@authz.admin_only
def unlink_guardian(pupil_id, guardian_id):
    """Remove the guardian from the pupil; the account stays."""
    pupil = policy.administered_pupil_or_404(current_user, pupil_id)
    link = policy.administered_guardianship_or_404(current_user, pupil, guardian_id)
    service.unlink_guardian(link)
    flash(_("%(guardian)s is no longer linked to %(child)s.", guardian=link.guardian.display_name,
            child=pupil.first_name), "success")
    return redirect(url_for("admin.pupil", pupil_id=pupil.id))


def _pupil_form(edit=False, **kwargs):
    """The pupil form; editing leaves the group to the move form."""
    form = PupilForm(**kwargs)
    if edit:
        del form.group
    else:
        form.group.choices = group_choices(open_groups())
    return form


def _save_pupil(form, pupil):
    """Validate and save; None (with the message next to the field) when it did not work."""
    if not form.validate_on_submit():
        return None
    values = {name: form[name].data for name in
              ("first_name", "last_name", "birth_date", "pupil_number")}
    values["first_name"], values["last_name"] = (
        values["first_name"].strip(), values["last_name"].strip())
    if "group" in form:
        values["group"] = form.group.data
    try:
        return service.save_pupil(pupil, **values)
    except AdministrationError as error:
        form.pupil_number.errors.append(str(error))
        return None


def _pupil_form_page(form, pupil, status=200):
    """The new/edit pupil page."""
    return render_page("admin/pupil_form.html", status=status, form=form, pupil=pupil)


def _pupil_page(pupil, move_form=None, leave_form=None, status=200):
    """The pupil's page with its forms (bound ones show their messages)."""
    if move_form is None:
        move_form = MoveForm(formdata=None, group=pupil.group_id)
        move_form.group.choices = group_choices(open_groups())
    return render_page(
        "admin/pupil.html", status=status, pupil=pupil,
        guardians=service.guardians_of(pupil), move_form=move_form,
        leave_form=leave_form or LeaveForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
        at_school=pupil.left_on is None or pupil.left_on > service.today_in_school(),
        moves=list(PupilMove.history_of(pupil)),
    )
