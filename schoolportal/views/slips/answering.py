"""Parents: the slips to fill in per child, answering, changing until the deadline."""

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.clock import school_today
from schoolportal.core.i18n import formatted
from schoolportal.core.models import ROLE_PARENT
from schoolportal.core.rendering import render_page
from schoolportal.slips import answers, overview, policy
from schoolportal.slips.forms import ActionForm
from schoolportal.slips.models import Slip
from schoolportal.views import me
from schoolportal.views.slips import bp

SHOWN_DAYS = 60


@bp.get("/slips")
@authz.signed_in
def index():
    """Parents: per child what is still to fill in, and what was; staff: their groups' slips."""
    today = school_today()
    if current_user.is_parent:
        return render_page("slips/index.html", rows=answers.rows_for_parent(current_user, today),
                           today=today, for_staff=False)
    slips = list(policy.manageable_slips(current_user).where(
        Slip.deadline >= today - timedelta(days=SHOWN_DAYS))
        .order_by(Slip.deadline.desc(), Slip.id.desc()))
    return render_page("slips/index.html", slips=slips, counts=overview.counts(slips),
                       today=today, for_staff=True)


@bp.get("/slips/<int:slip_id>")
@authz.signed_in
def show(slip_id):
    """The form for one child (parents); staff go to the overview."""
    if not current_user.is_parent:
        slip = policy.manageable_slip_or_404(current_user, slip_id)
        return redirect(url_for(".overview", slip_id=slip.id))
    slip = policy.answerable_slip_or_404(current_user, slip_id)
    children = _children_or_404(slip)
    child = _chosen(children, request.args.get("child"))
    current = answers.current_answers(slip, [child]).get(child.id)
    return _answer_page(slip, children, child, current,
                        current.given if current else {})


@bp.post("/slips/<int:slip_id>")
@authz.allow(ROLE_PARENT)
def answer(slip_id):
    """Store the answer for one child; a mistake changes nothing and says why."""
    slip = policy.answerable_slip_or_404(current_user, slip_id)
    children = _children_or_404(slip)
    child = _chosen(children, request.form.get("child"))
    if not ActionForm().validate_on_submit():
        abort(400)
    today = school_today()
    questions = answers.questions_of(slip)
    current = answers.current_answers(slip, [child]).get(child.id)
    values, errors = answers.parse(questions, request.form)
    if errors or not slip.is_open(today):
        problem = None if slip.is_open(today) else _("The deadline has passed.")
        return _answer_page(slip, children, child, current, values, errors=errors,
                            problem=problem, status=422 if errors else 409)
    try:
        seen = int(request.form.get("version") or 0)
    except ValueError:
        seen = 0
    try:
        saved = answers.submit(slip, child, me(), values, seen, today)
    except answers.SlipClosed:
        abort(409)
    if saved.overtaken:
        flash(_("Another guardian had also answered for %(child)s in the meantime. Your answer "
                "is the one that counts now; the earlier answers are in the history.",
                child=child.first_name), "info")
    flash(_("Thank you, your answer for %(child)s has been saved. You can change it until "
            "%(when)s.", child=child.first_name, when=formatted(slip.deadline, "date_long")),
          "success")
    return redirect(url_for(".show", slip_id=slip.id, child=child.id))


def _children_or_404(slip):
    """The parent's children this slip asks about; 404 when there are none."""
    children = policy.children_for(current_user, slip)
    if not children:
        abort(404)
    return children


def _chosen(children, child_id):
    """The chosen child (by id), else the first one."""
    return next((c for c in children if str(c.id) == (child_id or "")), children[0])


def _answer_page(slip, children, child, current, values, errors=None, problem=None,
                 status=200):
    """The slip with the form for one child, who answered, and the history."""
    today = school_today()
    given = answers.current_answers(slip, children)
    return render_page(
        "slips/answer.html", status=status, slip=slip, children=children, child=child,
        current=current, given=given, values=values, errors=errors or {}, problem=problem,
        is_open=slip.is_open(today), questions=answers.questions_of(slip),
        history=answers.history_of(slip, child), form=ActionForm())
