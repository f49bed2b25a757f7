"""Report and introduction meetings: the family's booking grid, booking, cancelling.

A tap in the grid is a plain form post (post/redirect/get); with htmx the redirected
request answers with the grid fragment only. When the database refuses a booking (the
time was just taken, or the family already has a meeting then) the answer is 409 with
the refreshed grid and the reason above it.
"""

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import clock
from schoolportal.core.database import write_transaction
from schoolportal.core.i18n import formatted
from schoolportal.core.models import utcnow
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.meetings import booking, grid, mails, policy, rounds
from schoolportal.meetings import requests as meeting_requests
from schoolportal.meetings.forms import BookForm, ConfirmForm, PairForm
from schoolportal.views import me
from schoolportal.views.meetings import bp


@bp.get("/meetings")
@authz.signed_in
def index():
    """Parents: the grid of every current round; staff: rounds, schedules and requests."""
    if current_user.is_parent:
        return family_page()
    rounds_list = list(policy.meeting_rounds_visible_to(current_user).limit(100))
    return render_page("meetings/staff_index.html", rounds=rounds_list, now=utcnow(),
                       requests=meeting_requests.requests_for(current_user),
                       upcoming=booking.bookings_for(current_user, since=utcnow())[:20])


@bp.post("/meetings/book")
@authz.allow("parent")
def book():
    """Book the tapped time for the child (or move the child's booking to it)."""
    form = BookForm()
    if not form.validate_on_submit():
        return family_page(status=422, error=_("Choose a time."))
    pupil, slot = policy.bookable_meeting_slot_or_404(current_user, form.pupil.data,
                                                     form.slot.data)
    scope = current_user.id if slot.round.one_per_guardian else 0
    booker = me()
    try:
        booking.book(slot, pupil.id, booker, scope=scope,
                     after=lambda made: mails.confirm(made, booker))
    except booking.BookingRefused as refused:
        return family_page(status=409, error=refused.message)
    flash(_("Booked: %(when)s for %(child)s. You will receive a confirmation by email.",
            when=formatted(slot.starts_at, "datetime_long"), child=pupil.first_name),
          "success")
    return _done()


@bp.post("/meetings/book-pair")
@authz.allow("parent")
def book_pair():
    """Book two joining times for two children in one go (both or neither)."""
    form = PairForm()
    if not form.validate_on_submit():
        return family_page(status=422, error=_("Choose a time."))
    first = policy.bookable_meeting_slot_or_404(current_user, form.first_pupil.data,
                                               form.first_slot.data)
    second = policy.bookable_meeting_slot_or_404(current_user, form.second_pupil.data,
                                                form.second_slot.data)
    if first[0].id == second[0].id:
        abort(404)
    items = [(slot, pupil.id, current_user.id if slot.round.one_per_guardian else 0)
             for pupil, slot in (first, second)]
    booker = me()
    try:
        booking.book_all(items, booker, after=lambda made: mails.confirm(made, booker))
    except booking.BookingRefused as refused:
        return family_page(status=409, error=refused.message)
    flash(_("Both meetings are booked, one after the other."), "success")
    return _done()


@bp.post("/meetings/bookings/<int:booking_id>/cancel")
@authz.allow("parent")
def cancel(booking_id):
    """A parent cancels a booking while sign-up is open."""
    row = policy.meeting_booking_or_404(current_user, booking_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if row.round_id and not row.round.is_open(utcnow()):
        return family_page(status=409, error=_(
            "Sign-up has closed: to change this meeting, contact the teacher."))
    with write_transaction():
        cancelled = booking.cancel(row)
        if cancelled and row.request_id:
            mails.cancelled_by_parent(row, me())
    if cancelled:
        flash(_("Your meeting has been cancelled."), "success")
    if row.request_id:
        return redirect(url_for(".request_page", request_id=row.request_id))
    return redirect(url_for(".index"))


@bp.get("/meetings/bookings/<int:booking_id>/meeting.ics")
@authz.signed_in
def booking_ics(booking_id):
    """The booking as a calendar file for the phone's own calendar."""
    row = policy.meeting_booking_or_404(current_user, booking_id)
    body = mails.ics([booking.describe(row)], _("Meeting"))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{row.id}.ics"'})


def family_page(status=200, error=None):
    """The parent's page: every current round with a grid per child, and their requests."""
    now = utcnow()
    children = list(authz.visible_pupil_list(current_user))
    visible = rounds.current_of_parent(current_user.id, clock.school_today(), now)
    views, suggestions = grid.family_view(current_user, visible, children, now)
    # A tap in a round's grid changes no menu counter (the meetings badge counts requests
    # waiting for a pick, answered elsewhere): no out-of-band menu update.
    return render_page(
        "meetings/index.html", "partials/meetings/grid_update.html", status=status,
        update_nav=False, rounds=views, suggestions=suggestions, error=error, now=now,
        requests=meeting_requests.requests_for(current_user),
        may_ask=bool(children))


def _done():
    """After a booking: the refreshed grid at once for htmx (saves a round trip on a slow
    phone connection), else post/redirect/get."""
    if wants_fragment():
        return family_page()
    return redirect(url_for(".index"))

