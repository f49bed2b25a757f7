"""Guardians of a pupil: inviting, resending and withdrawing invitations (admins, group staff).

The views are open to every signed-in user so that authz decides per pupil: anyone who may
not manage the pupil (a parent, a teacher of another group) gets 404, as for a guessed id.
After each action the guardian list is a plain redirect (post/redirect/get); with htmx the
redirected request answers with the list fragment and the flash messages only.
"""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import normalize_email
from schoolportal.core.rendering import render_page
from schoolportal.invitations import policy, service
from schoolportal.onboarding.forms import InviteGuardianForm
from schoolportal.views import me
from schoolportal.views.invitations import bp


@bp.get("/pupils/<int:pupil_id>/guardians")
@authz.signed_in
def guardians(pupil_id):
    """A pupil's guardians, whether they activated their account, and a form to invite one."""
    pupil = authz.manageable_pupil_or_404(current_user, pupil_id)
    return _guardians_page(pupil, InviteGuardianForm(formdata=None))


@bp.post("/pupils/<int:pupil_id>/guardians")
@authz.signed_in
def invite(pupil_id):
    """Invite an address as guardian of the pupil, or link the account it already has."""
    pupil = authz.manageable_pupil_or_404(current_user, pupil_id)
    form = InviteGuardianForm()
    if not form.validate_on_submit():
        return _guardians_page(pupil, form, status=422)
    email = normalize_email(form.email.data)
    try:
        invitation = service.invite_guardian(pupil, email, invited_by=me())
    except service.InvitationError as error:
        form.email.errors.append(str(error))
        return _guardians_page(pupil, form, status=422)
    if invitation is None:
        flash(_("%(email)s already has an account: %(child)s is linked to it now.",
                email=email, child=pupil.first_name), "success")
    else:
        flash(_("We have sent an invitation to %(email)s. The link works for %(days)d days.",
                email=email, days=service.INVITATION_DAYS), "success")
    return redirect(url_for(".guardians", pupil_id=pupil.id))


@bp.post("/invitations/<int:invitation_id>/resend")
@authz.signed_in
def resend(invitation_id):
    """Send a fresh invitation; the link in the previous one stops working."""
    invitation = policy.manageable_invitation_or_404(current_user, invitation_id)
    try:
        service.resend(invitation, invited_by=me())
    except service.InvitationError as error:
        flash(str(error), "error")
    else:
        flash(_("We have sent a new invitation to %(email)s. The link in the previous one "
                "no longer works.", email=invitation.user.email), "success")
    return redirect(url_for(".guardians", pupil_id=invitation.pupil_id))


@bp.post("/invitations/<int:invitation_id>/revoke")
@authz.signed_in
def revoke(invitation_id):
    """Make an invitation's link stop working (the guardian stays linked to the pupil)."""
    invitation = policy.manageable_invitation_or_404(current_user, invitation_id)
    if service.revoke(invitation):
        flash(_("The invitation for %(email)s has been withdrawn: its link no longer works.",
                email=invitation.user.email), "success")
    else:
        flash(_("This invitation no longer worked already."), "info")
    return redirect(url_for(".guardians", pupil_id=invitation.pupil_id))


def _guardians_page(pupil, form, status=200):
    """The guardians page, or for htmx the guardian list with the flash messages."""
    return render_page(
        "invitations/guardians.html", "partials/invitations/guardians_update.html",
        status=status, pupil=pupil, guardians=service.guardians_of(pupil), form=form,
    )

