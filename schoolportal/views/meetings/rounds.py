"""The round editor (staff): the round, its teachers' blocks of times, publishing."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import utcnow
from schoolportal.core.rendering import render_page
from schoolportal.meetings import policy, rounds
from schoolportal.meetings.forms import BlockForm, ConfirmForm, RoundForm
from schoolportal.views import me
from schoolportal.views.meetings import bp


@bp.get("/meetings/rounds/new")
@authz.staff_only
def new_round():
    """An empty round form."""
    return _round_page(None, _round_form(formdata=None))


@bp.post("/meetings/rounds/new")
@authz.staff_only
def create_round():
    """Create the round (not yet visible to parents) and go on to its blocks."""
    form = _round_form()
    if not form.validate_on_submit():
        return _round_page(None, form, status=422)
    meeting_round = rounds.save_round(None, _round_values(form), form.groups.data, me())
    flash(_("The round has been saved. Now add the times of each teacher."), "success")
    return redirect(url_for(".edit_round", round_id=meeting_round.id))


@bp.get("/meetings/rounds/<int:round_id>/edit")
@authz.staff_only
def edit_round(round_id):
    """The round editor: details, blocks of times, publishing."""
    meeting_round = policy.managed_meeting_round_or_404(current_user, round_id)
    return _round_page(meeting_round)


@bp.post("/meetings/rounds/<int:round_id>/edit")
@authz.staff_only
def save_round(round_id):
    """Save the round's details."""
    meeting_round = policy.managed_meeting_round_or_404(current_user, round_id)
    form = _round_form()
    if not form.validate_on_submit():
        return _round_page(meeting_round, form, status=422)
    rounds.save_round(meeting_round, _round_values(form), form.groups.data,
                      choosable=[value for value, _label in form.groups.choices])
    flash(_("The round has been saved."), "success")
    return redirect(url_for(".edit_round", round_id=round_id))


@bp.post("/meetings/rounds/<int:round_id>/blocks")
@authz.staff_only
def add_block(round_id):
    """Cut a teacher's time on one day into slots."""
    meeting_round = policy.managed_meeting_round_or_404(current_user, round_id)
    block_form = _block_form(meeting_round)
    if block_form.validate_on_submit():
        teacher = next(t for t in block_form.teachers if t.id == block_form.teacher.data)
        data = block_form.data
        try:
            _block, count = rounds.add_block(
                meeting_round, teacher, data["day"], data["starts"], data["ends"],
                data["slot_minutes"], data["gap_minutes"], data["break_starts"],
                data["break_ends"])
        except rounds.RoundError as error:
            block_form.form_errors.append(str(error))
        else:
            flash(_("%(count)d times added for %(teacher)s.", count=count,
                    teacher=teacher.display_name), "success")
            return redirect(url_for(".edit_round", round_id=round_id))
    return _round_page(meeting_round, block_form=block_form, status=422)


@bp.post("/meetings/blocks/<int:block_id>/remove")
@authz.staff_only
def remove_block(block_id):
    """Remove a block of times, unless someone has booked one of them."""
    block = policy.managed_meeting_block_or_404(current_user, block_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if rounds.remove_block(block):
        flash(_("The times have been removed."), "success")
    else:
        flash(_("These times cannot be removed: some are booked. Cancel those bookings "
                "first (the parents are told)."), "error")
    return redirect(url_for(".edit_round", round_id=block.round_id))


@bp.post("/meetings/rounds/<int:round_id>/publish")
@authz.staff_only
def publish_round(round_id):
    """Show the round to the parents of its groups and mail them."""
    meeting_round = policy.managed_meeting_round_or_404(current_user, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        published = rounds.publish(meeting_round)
    except rounds.RoundError as error:
        flash(str(error), "error")
    else:
        if published:
            flash(_("The round is published: the parents have been told by email."), "success")
    return redirect(url_for(".edit_round", round_id=round_id))


def _round_form(**kwargs):
    """The round form with the groups this user may invite."""
    form = RoundForm(**kwargs)
    form.groups.choices = [(g.id, g.name) for g in
                           policy.meeting_round_group_choices(current_user)]
    return form


def _round_values(form):
    """The round's columns, with the sign-up times in UTC."""
    return {**form.values(), "opens_at": rounds.to_utc(form.opens_at.data),
            "closes_at": rounds.to_utc(form.closes_at.data)}


def _block_form(meeting_round, groups=None, **kwargs):
    """The block form with the teachers of the round's groups (`groups`: already read)."""
    form = BlockForm(**kwargs)
    groups = rounds.groups_of(meeting_round) if groups is None else groups
    form.teachers = policy.teachers_managed_by(
        current_user, rounds.teachers_of_groups([g.id for g in groups]))
    form.teacher.choices = [(t.id, t.display_name) for t in form.teachers]
    if current_user.id in {t.id for t in form.teachers} and form.teacher.data is None:
        form.teacher.data = current_user.id
    return form


def _round_page(meeting_round, form=None, block_form=None, status=200):
    """The new-round page, or the editor with every form it holds."""
    context = {"meeting_round": meeting_round, "form": form, "now": utcnow()}
    if meeting_round is not None:
        groups = rounds.groups_of(meeting_round)  # read once for the forms and the page
        context.update(
            form=form or _edit_form(meeting_round, groups),
            block_form=block_form or _block_form(meeting_round, groups, formdata=None),
            blocks=rounds.blocks_of(meeting_round, policy.schedule_teacher_ids(current_user)),
            confirm_form=ConfirmForm(formdata=None), groups=groups)
    return render_page("meetings/round.html", status=status, **context)


def _edit_form(meeting_round, groups):
    """The round form filled from the stored round and its invited groups."""
    form = _round_form(formdata=None, obj=meeting_round)
    form.groups.data = [g.id for g in groups]
    form.opens_at.data = rounds.to_local(meeting_round.opens_at)
    form.closes_at.data = rounds.to_local(meeting_round.closes_at)
    return form
