"""Staff: making a slip (for a group or under a post), the overview per child, CSV, reminding."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.clock import school_today
from schoolportal.core.rendering import render_page
from schoolportal.feed import policy as feed_policy
from schoolportal.slips import answers, building, overview, policy, reminders
from schoolportal.slips.forms import ActionForm, SlipForm
from schoolportal.views import me
from schoolportal.views.slips import bp


@bp.get("/slips/new")
@authz.staff_only
def new():
    """The form for a new slip; ?post= hangs it under that post (of one group)."""
    post = _post_from(request.args)
    form = SlipForm(formdata=None, groups=_groups(post),
                    group=str(post.group_id) if post else request.args.get("group"))
    return render_page("slips/new.html", form=form, post=post)


@bp.post("/slips/new")
@authz.staff_only
def create():
    """Store the slip with its questions; parents see it at once."""
    post = _post_from(request.form)
    form = SlipForm(groups=_groups(post))
    if not form.validate_on_submit():
        return render_page("slips/new.html", form=form, post=post, status=422)
    group = next(g for g in _groups(post) if str(g.id) == form.group.data)
    slip = building.create(me(), group, form.title.data.strip(), form.description.data.strip(),
                           form.deadline.data, form.remind_days_before.data,
                           form.filled_questions(), post=post)
    flash(_("The form has been made. Parents of %(group)s can fill it in now.",
            group=group.name), "success")
    return redirect(url_for(".overview", slip_id=slip.id))


@bp.get("/slips/<int:slip_id>/overview", endpoint="overview")
@authz.staff_only
def overview_page(slip_id):
    """Per child the answer or "not filled in yet"; printable."""
    slip = policy.manageable_slip_or_404(current_user, slip_id)
    questions = answers.questions_of(slip)
    rows = overview.rows(slip, questions)
    return render_page(
        "slips/overview.html", slip=slip, questions=questions, rows=rows,
        answered=sum(1 for r in rows if r.answer), total=len(rows), today=school_today(),
        last_reminded=reminders.last_reminded(f"slip:{slip.id}"))


@bp.get("/slips/<int:slip_id>/overview.csv")
@authz.staff_only
def overview_csv(slip_id):
    """The overview as a CSV file; cells that look like formulas are quoted."""
    slip = policy.manageable_slip_or_404(current_user, slip_id)
    response = Response("\ufeff" + overview.to_csv(slip), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="formulier-{slip.id}.csv"'
    return response


@bp.post("/slips/<int:slip_id>/remind")
@authz.staff_only
def remind(slip_id):
    """The "remind who has not filled it in" button: once a day per parent."""
    slip = policy.manageable_slip_or_404(current_user, slip_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not slip.is_open(school_today()):
        flash(_("The deadline has passed: no more reminders."), "info")
    else:
        told = reminders.remind_now(slip)
        if told:
            flash(_("A reminder went to %(count)d parents.", count=told), "success")
        else:
            flash(_("Nobody to remind: everyone has answered or was reminded today."), "info")
    return redirect(url_for(".overview", slip_id=slip.id))


def _post_from(values):
    """The group post named in ?post= (or the form), when this user may edit it; else None."""
    raw = values.get("post", "")
    if not raw:
        return None
    if not raw.isdigit():
        abort(404)
    post = feed_policy.editable_post_or_404(current_user, authz.real_id_or_404(int(raw)))
    if post.group_id is None:
        abort(404)  # a slip is per group; a school-wide post has none
    return post


def _groups(post):
    """The groups offered: the post's group, or every group this user may address."""
    groups = list(policy.addressable_groups(current_user))
    return [g for g in groups if g.id == post.group_id] if post else groups
