"""Access requests: the public request form and the admins' queue."""

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.access import policy, service
from schoolportal.access.forms import AccessRequestForm, ApproveForm, RejectForm
from schoolportal.core import throttle
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views.access import bp

RECEIVED = "ontvangen"  # the query flag that shows the confirmation


@bp.get("/toegang-aanvragen")
@authz.public
def request_access():
    """Show the request form, or the confirmation after it was sent."""
    if request.args.get(RECEIVED):
        return render_page("access/received.html")
    return _request_page(AccessRequestForm())


@bp.post("/toegang-aanvragen")
@authz.public
def request_access_submit():
    """Store the request; the same confirmation whether or not the child or address exists."""
    form = AccessRequestForm()
    if not form.validate_on_submit():
        return _request_page(form, status=422)
    if not form.is_bot():  # a bot gets the confirmation too, but nothing is stored
        try:
            service.submit(throttle.client_ip(), str(get_locale() or "nl"),
                                   **form.request_fields())
        except service.Throttled:
            form.form_errors.append(_(
                "Too many requests were sent from this network or for this email address. "
                "Try again later, or contact the school office."))
            return _request_page(form, status=429)
    return redirect(url_for("access.request_access", **{RECEIVED: 1}))


@bp.get("/admin/toegangsaanvragen")
@policy.decides_access_requests
def queue():
    """The pending requests with suggested pupils, and the latest decisions."""
    return _queue_page()


@bp.post("/admin/toegangsaanvragen/<int:request_id>/goedkeuren")
@policy.decides_access_requests
def approve(request_id):
    """Link the request to a pupil (4 or older) and send the invitation."""
    item = policy.access_request_or_404(current_user, request_id)
    form = ApproveForm(prefix=_prefix("approve", item))
    if not form.validate_on_submit():
        return _failed(item, None, 422, approve_form=form)
    try:
        item = service.approve(item, form.chosen_pupil, current_user)
    except service.AccessRequestError as error:
        return _failed(item, error, approve_form=form)
    return _decided(item, _("Approved. %(email)s receives an email to get access to %(child)s.",
                            email=item.email, child=item.pupil.full_name))


@bp.post("/admin/toegangsaanvragen/<int:request_id>/afwijzen")
@policy.decides_access_requests
def reject(request_id):
    """Turn the request down; the requester receives the reason by mail."""
    item = policy.access_request_or_404(current_user, request_id)
    form = RejectForm(prefix=_prefix("reject", item))
    if not form.validate_on_submit():
        return _failed(item, None, 422, reject_form=form)
    try:
        item = service.reject(item, form.reason.data, current_user)
    except service.AccessRequestError as error:
        return _failed(item, error, reject_form=form)
    return _decided(item, _("Rejected. %(email)s receives the reason by email.",
                            email=item.email))


def _request_page(form, status=200):
    """The public request form."""
    return render_page("access/request.html", "partials/access/request_form.html",
                       status=status, form=form)


def _prefix(kind, item):
    """Each card's forms get their own field names and ids ("approve-12-pupil")."""
    return f"{kind}-{item.id}"


def _card(item, suggestions=(), approve_form=None, reject_form=None, message=None,
          kind="error"):
    """What the card partial needs for one request."""
    if item.is_pending:
        approve_form = approve_form or ApproveForm(prefix=_prefix("approve", item), formdata=None)
        reject_form = reject_form or RejectForm(prefix=_prefix("reject", item), formdata=None)
        approve_form.offer(suggestions)
    return {"item": item, "approve_form": approve_form, "reject_form": reject_form,
            "message": message, "kind": kind}


def _queue_page(status=200, failed=None):
    """The queue; `failed` is the card of a decision that did not go through."""
    pending = list(service.pending_requests())
    suggestions = service.suggestions_for(pending)
    cards = [
        failed if failed and failed["item"].id == item.id else _card(item, suggestions[item.id])
        for item in pending
    ]
    return render_page("access/queue.html", status=status, cards=cards,
                       pending_count=len(pending),
                       decided=[_card(item) for item in service.recently_decided()])


def _failed(item, error, status=None, **forms):
    """A decision that did not go through: the card again, with the reason."""
    if isinstance(error, service.AlreadyDecided):
        if not wants_fragment():
            flash(str(error), "error")
            return redirect(url_for("access.queue"))
        item = service.current_state(item)
        return _decision_fragment(_card(item, message=str(error)), status=409)
    message = str(error) if error else None
    suggestions = service.suggestions_for([item])[item.id]
    card = _card(item, suggestions, message=message, **forms)
    if wants_fragment():
        return _decision_fragment(card, status=status or 422)
    return _queue_page(status=status or 422, failed=card)


def _decided(item, message):
    """After a decision: the decided card for htmx, else back to the queue (PRG)."""
    if wants_fragment():
        return _decision_fragment(_card(item, message=message, kind="success"))
    flash(message, "success")
    return redirect(url_for("access.queue"))


def _decision_fragment(card, status=200):
    """The card, and the pending counter swapped alongside it."""
    return render_page("access/queue.html", "partials/access/decision.html", status=status,
                       card=card, pending_count=service.pending_requests().count())
