"""Leave requests (verlof): a parent asks, the director decides once, parents and teachers hear.

Teachers of the child's group see the requests and decisions (read-only); other parents and
other teachers get 404, as for a guessed id.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.absence import policy, service
from schoolportal.absence.forms import ActionForm, LeaveDecisionForm, LeaveRequestForm
from schoolportal.absence.models import LEAVE_PENDING, LeaveRequest
from schoolportal.core.models import ROLE_PARENT, Pupil
from schoolportal.core.rendering import render_page
from schoolportal.views import me
from schoolportal.views.absence import bp

DECIDED_SHOWN = 30


@bp.get("/afwezigheid/verlof")
@authz.signed_in
def leave_index():
    """Parents: their requests; teachers: their groups'; the director: the queue to decide."""
    requests = LeaveRequest.of_pupils(policy.absence_pupil_ids(current_user))
    pending = list(requests.where(LeaveRequest.status == LEAVE_PENDING).order_by(
        LeaveRequest.created_at, LeaveRequest.id))
    decided = list(requests.where(LeaveRequest.status != LEAVE_PENDING).limit(DECIDED_SHOWN))
    return render_page("absence/leave_index.html", pending=pending, decided=decided,
                       decides=policy.may_decide_leave(current_user))


@bp.get("/afwezigheid/verlof/aanvragen")
@authz.allow(ROLE_PARENT)
def leave_new():
    """The form to ask the director for leave."""
    form = _offer(LeaveRequestForm(formdata=None))
    chosen = request.args.get("leerling", type=int)
    if form.pupil.offers(chosen):
        form.pupil.data = chosen
    return _leave_form_page(form.fresh_key())


@bp.post("/afwezigheid/verlof/aanvragen")
@authz.allow(ROLE_PARENT)
def leave_new_submit():
    """Store the request (once, however often it is sent) for the director."""
    form = _offer(LeaveRequestForm())
    if not form.validate_on_submit():
        return _leave_form_page(form, status=422)
    pupil = policy.reporting_children(current_user).where(Pupil.id == form.pupil.data).get()
    try:
        leave, created = service.request_leave(
            pupil, me(), form.submission_key.data, form.starts_on.data, form.ends_on.data,
            form.reason.data.strip())
    except service.AbsenceError as error:
        form.form_errors.append(str(error))
        return _leave_form_page(form, status=422)
    if created:
        flash(_("Your request has been sent to the director. You will hear the decision by "
                "email and here."), "success")
    return redirect(url_for(".leave", leave_id=leave.id))


@bp.get("/afwezigheid/verlof/<int:leave_id>")
@authz.signed_in
def leave(leave_id):
    """One request and its decision; the director decides here."""
    item = policy.leave_request_or_404(current_user, leave_id)
    return _leave_page(item, LeaveDecisionForm(formdata=None))


@bp.post("/afwezigheid/verlof/<int:leave_id>/besluit")
@authz.admin_only
def leave_decide(leave_id):
    """Approve or reject once; parents and teachers are mailed the decision."""
    item = policy.leave_request_or_404(current_user, leave_id)
    if not policy.may_decide_leave(current_user):
        abort(404)
    form = LeaveDecisionForm()
    if not form.validate_on_submit():
        return _leave_page(item, form, status=422)
    try:
        service.decide_leave(item, me(), form.decision.data == "approve",
                              (form.note.data or "").strip())
    except service.AlreadyDecided as error:
        flash(str(error), "error")
        return redirect(url_for(".leave", leave_id=item.id))
    flash(_("The decision has been saved. The parents and the teacher have been told."),
          "success")
    return redirect(url_for(".leave_index"))


@bp.post("/afwezigheid/verlof/<int:leave_id>/intrekken")
@authz.allow(ROLE_PARENT)
def leave_withdraw(leave_id):
    """The parents take back a request the director has not decided yet."""
    item = policy.leave_request_or_404(current_user, leave_id)
    if not policy.may_withdraw_leave(current_user, item):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.withdraw_leave(item)
    except service.AlreadyDecided as error:
        flash(str(error), "error")
        return redirect(url_for(".leave", leave_id=item.id))
    flash(_("Your leave request has been withdrawn."), "success")
    return redirect(url_for(".leave_index"))


def _offer(form):
    """Offer the parent's own children."""
    form.pupil.offer(policy.reporting_children(current_user))
    return form


def _leave_form_page(form, status=200):
    """The leave request form (or the form alone for htmx)."""
    return render_page("absence/leave_new.html", "partials/absence/leave_form.html",
                       status=status, form=form)


def _leave_page(item, form, status=200):
    """A request, with the decision form for the director while it is pending."""
    return render_page(
        "absence/leave.html", "partials/absence/leave_decision.html", status=status,
        item=item, form=form,
        decides=item.is_pending and policy.may_decide_leave(current_user),
        may_withdraw=item.is_pending and policy.may_withdraw_leave(current_user, item),
    )
