"""Individual meetings: a parent asks, the teacher offers times, the parent picks one."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import utcnow
from schoolportal.core.rendering import render_page
from schoolportal.meetings import booking, policy, requests
from schoolportal.meetings.forms import OfferForm, PickForm, RequestForm
from schoolportal.meetings.models import REQUEST_CLOSED
from schoolportal.views import me
from schoolportal.views.meetings import bp


@bp.get("/meetings/requests/new")
@authz.allow("parent")
def new_request():
    """Ask one of your children's teachers for a conversation."""
    return _new_page(_request_form(formdata=None))


@bp.post("/meetings/requests/new")
@authz.allow("parent")
def create_request():
    """Send the request; the teacher is told by email."""
    form = _request_form()
    if not form.validate_on_submit():
        return _new_page(form, status=422)
    child, teacher = form.pairs[form.who.data]
    request_row = requests.ask(me(), child, teacher, form.reason.data.strip())
    flash(_("Your request has been sent to %(teacher)s.", teacher=teacher.display_name),
          "success")
    return redirect(url_for(".request_page", request_id=request_row.id))


@bp.get("/meetings/requests/<int:request_id>")
@authz.signed_in
def request_page(request_id):
    """The request: the reason, the offered times, the booking."""
    request_row = policy.meeting_request_or_404(current_user, request_id)
    return _request_page(request_row)


@bp.post("/meetings/requests/<int:request_id>/offer")
@authz.staff_only
def offer(request_id):
    """The teacher offers up to three times; the parent is told by email."""
    request_row = policy.meeting_request_or_404(current_user, request_id)
    if request_row.teacher_id != current_user.id or request_row.status == REQUEST_CLOSED:
        abort(404)
    form = OfferForm()
    if not form.validate_on_submit():
        return _request_page(request_row, offer_form=form, status=422)
    requests.offer(request_row, form.starts(), form.minutes.data,
                           (form.place.data or "").strip())
    flash(_("The times have been sent to the parent."), "success")
    return redirect(url_for(".request_page", request_id=request_id))


@bp.post("/meetings/requests/<int:request_id>/pick")
@authz.allow("parent")
def pick(request_id):
    """Book one of the offered times (or move to another one)."""
    request_row = policy.meeting_request_or_404(current_user, request_id)
    form = PickForm()
    slot = next((s for s in requests.offered_slots(request_row, utcnow())
                 if s.id == form.slot.data), None) if form.validate_on_submit() else None
    if slot is None or request_row.asked_by_id != current_user.id:
        return _request_page(request_row, status=409,
                             error=str(booking.MESSAGES[booking.TAKEN]))
    try:
        requests.pick(request_row, slot, me())
    except booking.BookingRefused as refused:
        return _request_page(request_row, status=409, error=refused.message)
    flash(_("The conversation is booked. You will receive a confirmation by email."),
          "success")
    return redirect(url_for(".request_page", request_id=request_id))


def _request_form(**kwargs):
    """The request form with (child, teacher) choices of this parent."""
    form = RequestForm(**kwargs)
    form.pairs = {f"{child.id}:{teacher.id}": (child, teacher)
                  for child, teacher in policy.meeting_request_choices(current_user)}
    form.who.choices = [(key, f"{child.first_name} · {teacher.display_name}")
                        for key, (child, teacher) in form.pairs.items()]
    return form


def _new_page(form, status=200):
    """The page to ask for a conversation."""
    return render_page("meetings/request_new.html", status=status, form=form)


def _request_page(request_row, offer_form=None, status=200, error=None):
    """A request as its parent or teacher sees it (fragment: the times and the booking)."""
    now = utcnow()
    return render_page(
        "meetings/request.html", "partials/meetings/request_times_update.html", status=status,
        request_row=request_row, error=error, now=now,
        offered=requests.offered_slots(request_row, now),
        booked=requests.booking_of(request_row),
        offer_form=offer_form or OfferForm(formdata=None),
        pick_form=PickForm(formdata=None))
