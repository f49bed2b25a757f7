"""The teacher's schedule of a round (printable), and what staff do with its slots."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow
from schoolportal.core.rendering import render_page
from schoolportal.meetings import booking, mails, policy, rounds
from schoolportal.meetings.forms import ConfirmForm, OnBehalfForm, StaffCancelForm
from schoolportal.views import me
from schoolportal.views.meetings import bp


@bp.get("/meetings/rounds/<int:round_id>/schedule")
@authz.staff_only
def schedule(round_id):
    """Per teacher and day: who comes when. Own times first; admins see all with ?all=1."""
    meeting_round = policy.managed_meeting_round_or_404(current_user, round_id)
    may_show_all = policy.schedule_teacher_ids(current_user) is None
    days = rounds.schedule(meeting_round, [current_user.id])
    show_all = may_show_all and (request.args.get("all") == "1" or not days)
    if show_all:
        days = rounds.schedule(meeting_round)
    return render_page("meetings/schedule.html", meeting_round=meeting_round, days=days,
                       show_all=show_all, may_show_all=may_show_all, now=utcnow(),
                       confirm_form=ConfirmForm(formdata=None))


@bp.post("/meetings/slots/<int:slot_id>/block")
@authz.staff_only
def block_slot(slot_id):
    """Take a free time out of the parents' grid."""
    slot = _slot_action(slot_id)
    if not booking.block(slot):
        flash(_("This time has just been booked; it was not blocked."), "error")
    return _back_to_schedule(slot)


@bp.post("/meetings/slots/<int:slot_id>/unblock")
@authz.staff_only
def unblock_slot(slot_id):
    """Put a blocked time back in the parents' grid."""
    slot = _slot_action(slot_id)
    booking.unblock(slot)
    return _back_to_schedule(slot)


@bp.get("/meetings/slots/<int:slot_id>/book-for")
@authz.staff_only
def book_for(slot_id):
    """Choose the child (and parent) to book this time for."""
    slot = policy.managed_meeting_slot_or_404(current_user, slot_id)
    return _book_for_page(slot, _on_behalf_form(slot, formdata=None))


@bp.post("/meetings/slots/<int:slot_id>/book-for")
@authz.staff_only
def book_for_submit(slot_id):
    """Book for a parent without an account or phone; the guardians get the confirmation."""
    slot = policy.managed_meeting_slot_or_404(current_user, slot_id)
    form = _on_behalf_form(slot)
    if not form.validate_on_submit():
        return _book_for_page(slot, form, status=422)
    pupil_id, scope = (int(part) for part in form.who.data.split(":"))
    booker = me()
    try:
        booking.book(slot, pupil_id, booker, scope=scope, by_staff=True,
                     after=lambda made: mails.confirm(made, booker))
    except booking.BookingRefused as refused:
        form.who.errors.append(refused.message)
        return _book_for_page(slot, form, status=409)
    flash(_("Booked. The parents receive a confirmation by email."), "success")
    return _back_to_schedule(slot)


@bp.get("/meetings/bookings/<int:booking_id>/cancel-by-staff")
@authz.staff_only
def staff_cancel(booking_id):
    """Ask for the reason the parents will read."""
    row = policy.meeting_booking_or_404(current_user, booking_id)
    return _cancel_page(row, StaffCancelForm(formdata=None))


@bp.post("/meetings/bookings/<int:booking_id>/cancel-by-staff")
@authz.staff_only
def staff_cancel_submit(booking_id):
    """Cancel the booking and mail the parents the reason."""
    row = policy.meeting_booking_or_404(current_user, booking_id)
    form = StaffCancelForm()
    if not form.validate_on_submit():
        return _cancel_page(row, form, status=422)
    with write_transaction():
        if booking.cancel(row):
            mails.cancelled(row, form.reason.data.strip(), me())
    flash(_("The booking has been cancelled and the parents have been told."), "success")
    if row.request_id:
        return redirect(url_for(".request_page", request_id=row.request_id))
    return _back_to_schedule(row.slot)


def _slot_action(slot_id):
    """The slot of a posted staff action, after the CSRF check."""
    slot = policy.managed_meeting_slot_or_404(current_user, slot_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return slot


def _back_to_schedule(slot):
    """Back to the schedule, at the teacher's day."""
    return redirect(url_for(".schedule", round_id=slot.round_id,
                            all=None if slot.teacher_id == current_user.id else 1))


def _on_behalf_form(slot, **kwargs):
    """Children of the teacher's groups in the round (per guardian, if the round says so)."""
    form = OnBehalfForm(**kwargs)
    pupils = rounds.pupils_for_staff_booking(slot.round, slot.teacher)
    choices = []
    if slot.round.one_per_guardian:
        guardians = mails.guardians_of([p.id for p in pupils])
        for pupil in pupils:
            for person in guardians.get(pupil.id, []):
                choices.append((f"{pupil.id}:{person.id}",
                                f"{pupil.full_name} ({person.display_name})"))
    else:
        choices = [(f"{p.id}:0", f"{p.full_name} ({p.group.name})") for p in pupils]
    form.who.choices = choices
    return form


def _book_for_page(slot, form, status=200):
    """The page to book a time on a parent's behalf."""
    return render_page("meetings/book_for.html", status=status, slot=slot, form=form)


def _cancel_page(row, form, status=200):
    """The page to cancel a booking with a reason."""
    return render_page("meetings/cancel.html", status=status, row=row,
                       meeting=booking.describe(row), form=form)
