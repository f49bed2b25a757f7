"""Admins look at a member of staff's second step, and reset it after a lost phone (audited)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin import policy as admin_policy
from schoolportal.auth import second_factor
from schoolportal.auth.forms import ConfirmForm
from schoolportal.core.rendering import render_page
from schoolportal.views import me
from schoolportal.views.auth import bp


@bp.get("/admin/staff/<int:account_id>/second-factor")
@authz.admin_only
def staff_second_factor(account_id):
    """Whether this member of staff has a second step, and the button to reset it."""
    member = admin_policy.administered_staff_or_404(current_user, account_id)
    return render_page("auth/staff_second_factor.html", member=member,
                       status_of=second_factor.status_of(member),
                       is_self=member.id == current_user.id)


@bp.post("/admin/staff/<int:account_id>/second-factor/reset")
@authz.admin_only
def reset_second_factor(account_id):
    """Remove a member of staff's passkeys, app and recovery codes and log them out."""
    member = admin_policy.administered_staff_or_404(current_user, account_id)
    if not ConfirmForm().validate_on_submit() or member.id == current_user.id:
        abort(400)
    second_factor.reset(member, actor=me())
    flash(_("The second step of %(name)s has been reset and they are logged out. At their "
            "next login with their password they set up a new one.", name=member.display_name),
          "success")
    return redirect(url_for("auth.staff_second_factor", account_id=member.id))
