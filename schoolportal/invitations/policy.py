"""Who may see and change invitations."""

from flask import abort

from schoolportal.authz import (
    manageable_pupil_or_404,
)
from schoolportal.invitations.models import Invitation


def manageable_invitation_or_404(user, invitation_id):
    """A guardian's invitation, for those who may manage its pupil; 404 otherwise.

    Invitations of staff (without a pupil) are not managed here, so they give 404 too.
    """
    invitation = Invitation.select().where(
        (Invitation.id == invitation_id) & Invitation.pupil.is_null(False)).first()
    if invitation is None:
        abort(404)
    invitation.pupil = manageable_pupil_or_404(user, invitation.pupil_id)
    return invitation


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "invitation": (Invitation, manageable_invitation_or_404),
}
