"""Absence reports: parents report (one tap or with details), teachers see and acknowledge.

Who may see a report and its reason is decided in authz; whether it may still change
(before it begins) in `absences`. Every action is a plain form post that redirects. The
home card's buttons are also sent by htmx, which gets that child's card back; the "seen"
button on the teachers' overview gets its row back.
"""

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.absence import policy, service
from schoolportal.absence.forms import (
    AbsenceDetailsForm,
    AbsenceReportForm,
    ActionForm,
    QuickSickForm,
)
from schoolportal.absence.models import REASON_SICK, AbsenceReport, LeaveRequest
from schoolportal.absence.panels import child_cards
from schoolportal.core import audit
from schoolportal.core.i18n import formatted
from schoolportal.core.models import ROLE_PARENT, Pupil
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views import me
from schoolportal.views.absence import bp

HISTORY_LIMIT = 30
HISTORY_DAYS = 180
DAY_FORMAT = "date_long"


@bp.app_template_filter("absence_reason")
def reason_label(entry):
    """The reason of a report ("Something else: a funeral") or "Leave", in the current language."""
    if entry.kind == "leave":
        return _("Leave")
    label = {"sick": _("Sick"), "doctor": _("Doctor or dentist"),
             "other": _("Something else")}[entry.reason]
    return f"{label}: {entry.reason_text}" if entry.reason_text else label


@bp.app_template_filter("absence_period")
def period_label(entry):
    """When: one day, a few hours, from..to, or open-ended, in the current language."""
    first = formatted(entry.starts_on, DAY_FORMAT)
    if entry.ends_on is None:
        return _("from %(day)s, until further notice", day=first)
    if entry.kind == "report" and entry.start_time is not None:
        return _("%(day)s, %(start)s to %(end)s", day=first,
                 start=entry.start_time.strftime("%H:%M"), end=entry.end_time.strftime("%H:%M"))
    if entry.ends_on == entry.starts_on:
        return first
    return _("%(first)s to %(last)s", first=first, last=formatted(entry.ends_on, DAY_FORMAT))


@bp.app_template_global("absent_today_in")
def absent_today_in(group):
    """Who is away today in a group, as far as the signed-in user may see (for its page)."""
    pupils = Pupil.select(Pupil.id).where(
        (Pupil.group == group.id) & Pupil.id.in_(policy.absence_pupil_ids(current_user)))
    return service.absent_on(pupils, service.school_today())


@bp.get("/afwezigheid")
@authz.signed_in
def index():
    """Parents: their children; teachers: who is away in their groups; office: the day list."""
    if current_user.is_admin:
        return redirect(url_for(".day"))
    if current_user.is_staff:  # who is away in their groups, with reasons: audited
        audit.record("absence_view", "absence_overview", None)
        return _teacher_overview()
    return _parent_overview()


@bp.get("/afwezigheid/melden")
@authz.allow(ROLE_PARENT)
def new():
    """The form to report a child absent with details."""
    form = _offer(AbsenceReportForm(formdata=None))
    chosen = request.args.get("leerling", type=int)
    if form.pupil.offers(chosen):
        form.pupil.data = chosen
    form.starts_on.data = service.school_today()
    return _form_page(form.fresh_key())


@bp.post("/afwezigheid/melden")
@authz.allow(ROLE_PARENT)
def new_submit():
    """Store the report (once, however often it is sent) and tell the teachers."""
    form = _offer(AbsenceReportForm())
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    pupil = _chosen(form)
    try:
        report, created = service.report(pupil, me(), form.submission_key.data,
                                          **form.details())
    except service.AbsenceError as error:
        form.form_errors.append(str(error))
        return _form_page(form, status=422, clash=error.report)
    if created:
        flash(_("%(child)s has been reported absent. The teacher has been told.",
                child=pupil.first_name), "success")
    return redirect(url_for(".report", report_id=report.id))


@bp.post("/afwezigheid/ziek-melden")
@authz.allow(ROLE_PARENT)
def quick():
    """The one tap: the child is sick from today until further notice."""
    form = _offer(QuickSickForm())
    if not form.validate_on_submit():
        if wants_fragment():
            return render_page("absence/new.html", "partials/absence/quick_failed.html",
                               status=422, form=form)
        page_form = _offer(AbsenceReportForm(formdata=None)).fresh_key()
        page_form.form_errors.extend(
            str(message) for messages in form.errors.values() for message in messages)
        return _form_page(page_form, status=422)
    pupil = _chosen(form)
    day = service.sick_report_day()
    today = day == service.school_today()
    try:
        service.report(pupil, me(), form.submission_key.data, reason=REASON_SICK,
                        starts_on=day, ends_on=None)
    except service.AlreadyReported:
        return _card(pupil, _("%(child)s was already reported absent for today.",
                              child=pupil.first_name) if today else
                     _("%(child)s was already reported absent for %(day)s.",
                       child=pupil.first_name, day=formatted(day, "date_long")), "info")
    except service.AbsenceError as error:
        return _card(pupil, str(error), "error")
    if today:
        return _card(pupil, _("%(child)s has been reported sick for today. The teacher has "
                              "been told.", child=pupil.first_name))
    return _card(pupil, _("%(child)s has been reported sick from %(day)s. The teacher has been "
                          "told.", child=pupil.first_name, day=formatted(day, "date_long")))


@bp.get("/afwezigheid/<int:report_id>")
@authz.signed_in
def report(report_id):
    """One report with its reason, for the child's guardians, teachers and the office."""
    report = policy.absence_report_or_404(current_user, report_id)
    if not current_user.is_parent:  # staff reading a family's absence details: audited
        audit.record("absence_view", "pupil", report.pupil_id, report=report.id)
    return _report_page(report)


@bp.get("/afwezigheid/<int:report_id>/wijzigen")
@authz.allow(ROLE_PARENT)
def edit(report_id):
    """The form to correct a report that has not begun."""
    report = _changeable_or_404(report_id)
    if service.has_begun(report):
        flash(_("This absence has begun: it can no longer be changed. Call the school if "
                "something is wrong."), "error")
        return redirect(url_for(".report", report_id=report.id))
    return _edit_page(report, AbsenceDetailsForm(formdata=None).fill_from(report).fresh_key())


@bp.post("/afwezigheid/<int:report_id>/wijzigen")
@authz.allow(ROLE_PARENT)
def edit_submit(report_id):
    """Store the correction; the teachers are told and see the report as new."""
    report = _changeable_or_404(report_id)
    form = AbsenceDetailsForm()
    if not form.validate_on_submit():
        return _edit_page(report, form, status=422)
    try:
        service.correct(report, me(), **form.details())
    except service.HasBegun as error:
        flash(str(error), "error")
        return redirect(url_for(".report", report_id=report.id))
    except service.AbsenceError as error:
        form.form_errors.append(str(error))
        return _edit_page(report, form, status=422)
    flash(_("The report has been changed. The teacher has been told."), "success")
    return redirect(url_for(".report", report_id=report.id))


@bp.post("/afwezigheid/<int:report_id>/intrekken")
@authz.allow(ROLE_PARENT)
def withdraw(report_id):
    """Take back a report that has not begun; the teachers are told."""
    report = _changeable_or_404(report_id)
    _action_form_or_400()
    try:
        service.withdraw(report, me())
    except service.AbsenceError as error:
        return _after_action(report, str(error), "error")
    return _after_action(report, _("The report for %(child)s has been withdrawn.",
                                   child=report.pupil.first_name), gone=True)


@bp.post("/afwezigheid/<int:report_id>/weer-beter")
@authz.signed_in
def end(report_id):
    """An open-ended absence is over: the child is back at school."""
    report = policy.absence_report_or_404(current_user, report_id)
    if not policy.may_end_absence(current_user, report):
        abort(404)
    _action_form_or_400()
    try:
        service.end(report, me())
    except service.AbsenceError as error:
        return _after_action(report, str(error), "error")
    return _after_action(report, _("Good to hear that %(child)s is better!",
                                   child=report.pupil.first_name))


@bp.post("/afwezigheid/<int:report_id>/gezien")
@authz.signed_in
def seen(report_id):
    """The teacher has read the report; the parents see who did."""
    report = policy.absence_report_or_404(current_user, report_id)
    if not policy.may_acknowledge_absence(current_user, report):
        abort(404)
    form = _action_form_or_400()
    report = service.mark_seen(report, me())
    if wants_fragment():
        return render_page("absence/report.html", "partials/absence/report_row.html",
                           entry=report, next_url=form.next.data)
    flash(_("Marked as seen. The parents can see that you have read it."), "success")
    return redirect(authz.safe_next_url(form.next.data) or url_for(".report",
                                                                    report_id=report.id))



def _offer(form):
    """Offer the parent's own children on a form that asks which child."""
    form.pupil.offer(policy.reporting_children(current_user))
    return form


def _chosen(form):
    """The pupil the (validated) form is about: one of the parent's own children."""
    return policy.reporting_children(current_user).where(Pupil.id == form.pupil.data).get()


def _changeable_or_404(report_id):
    """A report this guardian may correct or withdraw; 404 for everyone else."""
    report = policy.absence_report_or_404(current_user, report_id)
    if not policy.may_change_absence(current_user, report):
        abort(404)
    return report


def _action_form_or_400():
    """The CSRF-checked form behind a button (CSRFProtect checks it before the view too)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def _card(pupil, message, kind="success"):
    """After an action from the home card: that card (htmx), or the home page with a flash."""
    if wants_fragment():
        [card] = child_cards([pupil], service.school_today(), message, kind)
        return render_page("absence/index_parent.html", "partials/absence/child_card.html",
                           card=card)
    flash(message, kind)
    target = authz.safe_next_url(request.form.get("next"))
    return redirect(target or url_for("home.index"))


def _after_action(report, message, kind="success", gone=False):
    """After withdraw or "better again": the child's card (htmx) or back where it came from."""
    if wants_fragment() and current_user.is_parent:
        return _card(report.pupil, message, kind)
    flash(message, kind)
    target = authz.safe_next_url(request.form.get("next"))
    if target is None:
        target = url_for(".index") if gone else url_for(".report", report_id=report.id)
    return redirect(target)


def _form_page(form, status=200, clash=None):
    """The report form page (or its form for htmx)."""
    return render_page("absence/new.html", "partials/absence/report_form.html", status=status,
                       form=form, clash=clash, report=None)


def _edit_page(report, form, status=200):
    """The correction form for one report."""
    return render_page("absence/edit.html", "partials/absence/report_form.html",
                       status=status, form=form, report=report, clash=None)


def _report_page(report):
    """The report page with the buttons this user may use now."""
    begun = service.has_begun(report)
    return render_page(
        "absence/report.html", report=report,
        may_change=not begun and policy.may_change_absence(current_user, report),
        may_end=begun and report.is_open_ended and policy.may_end_absence(current_user, report),
        may_acknowledge=report.seen_at is None
        and policy.may_acknowledge_absence(current_user, report),
    )


def _parent_overview():
    """A parent's children with their cards, earlier reports and leave requests."""
    today = service.school_today()
    pupils = policy.absence_pupil_ids(current_user)
    since = today - timedelta(days=HISTORY_DAYS)
    history = list(AbsenceReport.between(pupils, since, today - timedelta(days=1))
                   .order_by(AbsenceReport.starts_on.desc()).limit(HISTORY_LIMIT))
    return render_page(
        "absence/index_parent.html",
        cards=child_cards(policy.reporting_children(current_user), today),
        history=[r for r in history if r.ends_on is not None and r.ends_on < today],
        leave=list(LeaveRequest.of_pupils(pupils).limit(HISTORY_LIMIT)),
    )


def _teacher_overview():
    """Who is away today in the teacher's groups (with reasons), and what is reported ahead."""
    today = service.school_today()
    pupils = policy.absence_pupil_ids(current_user)
    tomorrow, ahead = today + timedelta(days=1), today + timedelta(days=service.UPCOMING_DAYS)
    later = [entry for entry in list(AbsenceReport.between(pupils, tomorrow, ahead))
             + list(LeaveRequest.approved_between(pupils, tomorrow, ahead))
             if entry.starts_on > today]
    later.sort(key=lambda entry: (entry.starts_on, entry.pupil.first_name))
    return render_page(
        "absence/overview.html", groups=list(authz.visible_groups(current_user)),
        absent=service.absent_on(pupils, today), later=later, today=today,
        next_url=url_for(".index"),
    )
