"""Surveys and calls for help: the overview, and building a survey (staff).

A survey starts as a draft: its makers add questions, then publish it. Once published its
questions, audience and anonymity are fixed (answers were given to exactly those); the
title, explanation and deadline can still change, and it can be closed early.
"""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import worker
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow
from schoolportal.core.rendering import render_page
from schoolportal.surveys import answers, policy, results
from schoolportal.surveys import calls as help_calls
from schoolportal.surveys.forms import (
    SCHOOL,
    ActionForm,
    QuestionForm,
    SurveyForm,
    to_local,
    to_utc,
)
from schoolportal.surveys.models import Survey, SurveyGroup, SurveyOption, SurveyQuestion
from schoolportal.views.surveys import bp

MAX_QUESTIONS = 50


@bp.get("/surveys")
@authz.signed_in
def index():
    """Surveys to answer (parents) or to manage (staff), and the calls for help."""
    today = worker.school_today()
    if current_user.is_parent:
        rows = answers.rows_for_parent(current_user)
    else:
        rows = results.rows_for_staff(current_user)
    calls = help_calls.upcoming_for(current_user, today)
    return render_page("surveys/index.html", rows=rows, calls=calls,
                       manages=not current_user.is_parent)


@bp.get("/surveys/new")
@authz.staff_only
def new():
    """The form for a new survey's settings."""
    return _settings_page(SurveyForm(formdata=None, groups=policy.addressable_groups(current_user),
                                     whole_school=policy.may_address_whole_school(current_user)))


@bp.post("/surveys/new")
@authz.staff_only
def create():
    """Make a draft survey for the chosen audience, then go on to its questions."""
    form = _survey_form()
    if not form.validate_on_submit():
        return _settings_page(form, status=422)
    with write_transaction():
        survey = Survey.create(
            title=form.title.data.strip(), description=(form.description.data or "").strip(),
            school_wide=SCHOOL in form.audience.data, anonymous=form.anonymous.data == "anonymous",
            per=form.per.data, closes_at=to_utc(form.closes_at.data), created_by=current_user.id)
        _set_audience(survey, form.group_ids())
    flash(_("The survey has been made. Now add its questions."), "success")
    return redirect(url_for(".edit", survey_id=survey.id))


@bp.get("/surveys/<int:survey_id>/edit")
@authz.staff_only
def edit(survey_id):
    """The survey editor: settings, questions, and publishing."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    return _editor(survey)


@bp.post("/surveys/<int:survey_id>/edit")
@authz.staff_only
def update(survey_id):
    """Save the settings; a published survey keeps its audience and way of answering."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    form = _survey_form(survey)
    if not form.validate_on_submit():
        return _editor(survey, settings=form, status=422)
    changes = {Survey.title: form.title.data.strip(),
               Survey.description: (form.description.data or "").strip(),
               Survey.closes_at: to_utc(form.closes_at.data)}
    with write_transaction():
        if not survey.is_published:
            changes.update({Survey.school_wide: SCHOOL in form.audience.data,
                            Survey.anonymous: form.anonymous.data == "anonymous",
                            Survey.per: form.per.data})
            _set_audience(survey, form.group_ids())
        Survey.update(changes).where(Survey.id == survey.id).execute()
    flash(_("The survey has been saved."), "success")
    return redirect(url_for(".edit", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/questions")
@authz.staff_only
def add_question(survey_id):
    """Add a question (with its options) at the end of a draft survey."""
    survey = _draft_or_404(survey_id)
    form = QuestionForm()
    questions = answers.questions_of(survey)
    if len(questions) >= MAX_QUESTIONS:
        form.form_errors.append(_("A survey can have at most %(max)d questions.",
                                  max=MAX_QUESTIONS))
    if not form.validate_on_submit() or form.form_errors:
        return _editor(survey, question_form=form, status=422)
    with write_transaction():
        question = SurveyQuestion.create(
            survey=survey.id, kind=form.kind.data, text=form.text.data.strip(),
            required=form.required.data, position=len(questions) + 1)
        if question.is_choice:
            SurveyOption.insert_many([{"question": question.id, "position": n, "label": label}
                                      for n, label in enumerate(form.labels(), 1)]).execute()
    flash(_("The question has been added."), "success")
    return redirect(url_for(".edit", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@authz.staff_only
def delete_question(survey_id, question_id):
    """Remove a question from a draft survey."""
    survey = _draft_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    removed = SurveyQuestion.delete().where(
        (SurveyQuestion.id == authz.real_id_or_404(question_id))
        & (SurveyQuestion.survey == survey.id)).execute()
    if not removed:
        abort(404)
    flash(_("The question has been removed."), "success")
    return redirect(url_for(".edit", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/publish")
@authz.staff_only
def publish(survey_id):
    """Open a draft to its parents; it needs at least one question."""
    survey = _draft_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not SurveyQuestion.select().where(SurveyQuestion.survey == survey.id).exists():
        flash(_("Add at least one question before publishing."), "error")
        return _editor(survey, status=422)
    if survey.closes_at <= utcnow():
        flash(_("The deadline has passed. Choose a later one before publishing."), "error")
        return _editor(survey, status=422)
    Survey.update(published_at=utcnow()).where(
        (Survey.id == survey.id) & Survey.published_at.is_null()).execute()
    flash(_("The survey is published: parents can answer it now."), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/close")
@authz.staff_only
def close(survey_id):
    """Stop taking answers now."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = utcnow()
    Survey.update(closes_at=now).where(
        (Survey.id == survey.id) & (Survey.closes_at > now)).execute()
    flash(_("The survey is closed."), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/delete")
@authz.staff_only
def delete(survey_id):
    """Throw away a draft (published surveys are closed instead: they hold answers)."""
    survey = _draft_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    Survey.delete().where(Survey.id == survey.id).execute()
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for(".index"))


def _draft_or_404(survey_id):
    """A draft survey this user manages; published ones cannot change questions (404)."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    if survey.is_published:
        abort(404)
    return survey


def _set_audience(survey, group_ids):
    """Address the survey to exactly these groups (none: the whole school)."""
    SurveyGroup.delete().where(SurveyGroup.survey == survey.id).execute()
    if group_ids:
        SurveyGroup.insert_many([{"survey": survey.id, "group": g} for g in group_ids]).execute()


def _survey_form(survey=None, stored=False):
    """The settings form with this user's groups; a published survey only edits some fields.

    `stored` fills it from the survey instead of the request.
    """
    kwargs = {"formdata": None, "data": _settings_of(survey)} if stored else {}
    form = SurveyForm(groups=policy.addressable_groups(current_user),
                      whole_school=policy.may_address_whole_school(current_user), **kwargs)
    if survey is not None and survey.is_published:
        for name in ("audience", "anonymous", "per"):
            delattr(form, name)
    return form


def _settings_of(survey):
    """A survey's stored settings as form data."""
    groups = [str(g) for (g,) in SurveyGroup.select(SurveyGroup.group).where(
        SurveyGroup.survey == survey.id).tuples()]
    return {"title": survey.title, "description": survey.description,
            "audience": [SCHOOL] if survey.school_wide else groups,
            "closes_at": to_local(survey.closes_at),
            "anonymous": "anonymous" if survey.anonymous else "named", "per": survey.per}


def _settings_page(form, status=200):
    """The page for a new survey's settings."""
    return render_page("surveys/new.html", status=status, form=form)


def _editor(survey, settings=None, question_form=None, status=200):
    """The editor page, or for htmx its question region with the flash messages."""
    return render_page(
        "surveys/edit.html", "partials/surveys/questions_update.html", status=status,
        survey=survey, questions=answers.questions_of(survey),
        settings=settings or _survey_form(survey, stored=True),
        question_form=question_form or QuestionForm(formdata=None), action_form=ActionForm())
