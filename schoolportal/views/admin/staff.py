"""Administration of staff: inviting, groups, role, deactivating and reactivating accounts."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin import policy, service
from schoolportal.admin.forms import (
    ConfirmForm,
    RoleForm,
    StaffGroupsForm,
    StaffInviteForm,
    group_choices,
)
from schoolportal.admin.service import AdministrationError
from schoolportal.core.models import User
from schoolportal.core.rendering import render_page
from schoolportal.invitations import service as invitations_service
from schoolportal.invitations.service import InvitationError
from schoolportal.views.admin import bp
from schoolportal.views.admin.groups import open_groups


@bp.get("/admin/staff")
@authz.admin_only
def staff():
    """Staff and admins with their groups and whether they can log in."""
    accounts = policy.administered_staff(current_user).order_by(
        User.active.desc(), User.display_name)
    return render_page("admin/staff.html", people=service.staff_with_groups(accounts))


@bp.get("/admin/staff/invite")
@authz.admin_only
def invite_staff():
    """The form to invite a member of staff."""
    return _invite_page(_invite_form())


@bp.post("/admin/staff/invite")
@authz.admin_only
def invite_staff_submit():
    """Create the account, link its groups and queue the invitation mail."""
    form = _invite_form()
    if not form.validate_on_submit():
        return _invite_page(form, status=422)
    try:
        invitation = invitations_service.invite_staff(
            form.email.data.strip(), form.display_name.data.strip(), invited_by=current_user,
            groups=form.groups.data, role=form.role.data)
    except InvitationError as error:
        form.email.errors.append(str(error))
        return _invite_page(form, status=422)
    if invitation is None:
        flash(_("This address already has an active account; its groups have been added."),
              "info")
    else:
        flash(_("An invitation has been sent to %(email)s.", email=invitation.user.email),
              "success")
    return redirect(url_for("admin.staff"))


@bp.get("/admin/staff/<int:account_id>")
@authz.admin_only
def staff_member(account_id):
    """One member of staff: groups, role, and switching the account off or on."""
    return _member_page(policy.administered_staff_or_404(current_user, account_id))


@bp.post("/admin/staff/<int:account_id>/groups")
@authz.admin_only
def staff_groups(account_id):
    """Save the groups this member of staff works with."""
    member = policy.administered_staff_or_404(current_user, account_id)
    form = StaffGroupsForm()
    form.groups.choices = group_choices(open_groups())
    if not form.validate_on_submit():
        return _member_page(member, groups_form=form, status=422)
    service.set_staff_groups(member, form.groups.data)
    flash(_("The groups of %(name)s have been saved.", name=member.display_name), "success")
    return redirect(url_for("admin.staff_member", account_id=member.id))


@bp.post("/admin/staff/<int:account_id>/role")
@authz.admin_only
def staff_role(account_id):
    """Make a member of staff an admin or the other way round (the last admin stays)."""
    member = policy.administered_staff_or_404(current_user, account_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            service.change_role(current_user, member, form.role.data)
        except AdministrationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The role of %(name)s has been saved.", name=member.display_name), "success")
            return redirect(url_for("admin.staff_member", account_id=member.id))
    return _member_page(member, role_form=form, status=422)


@bp.post("/admin/staff/<int:account_id>/deactivate")
@authz.admin_only
def deactivate(account_id):
    """Switch the account off and end its sessions (never one's own, never the last admin)."""
    member = policy.administered_staff_or_404(current_user, account_id)
    form = ConfirmForm()
    try:
        service.deactivate(current_user, member)
    except AdministrationError as error:
        form.form_errors.append(str(error))
        return _member_page(member, switch_form=form, status=409)
    flash(_("The account of %(name)s has been deactivated.", name=member.display_name),
          "success")
    return redirect(url_for("admin.staff_member", account_id=member.id))


@bp.post("/admin/staff/<int:account_id>/reactivate")
@authz.admin_only
def reactivate(account_id):
    """Switch the account on again."""
    member = policy.administered_staff_or_404(current_user, account_id)
    if service.reactivate(member):
        flash(_("The account of %(name)s is active again.", name=member.display_name),
              "success")
    return redirect(url_for("admin.staff_member", account_id=member.id))


@bp.post("/admin/staff/<int:account_id>/invite")
@authz.admin_only
def reinvite(account_id):
    """Send a fresh invitation to an account that has not been activated yet."""
    member = policy.administered_staff_or_404(current_user, account_id)
    form = ConfirmForm()
    try:
        invitation = invitations_service.invite_staff(
            member.email, member.display_name, invited_by=current_user, role=member.role)
    except InvitationError as error:
        form.form_errors.append(str(error))
        return _member_page(member, switch_form=form, status=409)
    if invitation is not None:
        flash(_("An invitation has been sent to %(email)s.", email=member.email), "success")
    return redirect(url_for("admin.staff_member", account_id=member.id))


def _invite_form():
    """The invitation form with the groups to choose from."""
    form = StaffInviteForm()
    form.groups.choices = group_choices(open_groups())
    return form


def _invite_page(form, status=200):
    """The invitation page."""
    return render_page("admin/staff_invite.html", status=status, form=form)


def _member_page(member, groups_form=None, role_form=None, switch_form=None, status=200):
    """A member of staff's page with its forms (bound ones show their messages)."""
    [(member, groups, state)] = service.staff_with_groups([member])
    if groups_form is None:
        groups_form = StaffGroupsForm(formdata=None, groups=[g.id for g in groups])
        groups_form.groups.choices = group_choices(open_groups())
    return render_page(
        "admin/staff_member.html", status=status, member=member, groups=groups, state=state,
        is_self=member.id == current_user.id, groups_form=groups_form,
        role_form=role_form or RoleForm(formdata=None, role=member.role),
        switch_form=switch_form or ConfirmForm(formdata=None),
    )
