"""Survey results for its makers: figures and charts, the named list, CSV, mailing a selection."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.rendering import render_page
from schoolportal.surveys import answers, policy
from schoolportal.surveys import results as survey_results
from schoolportal.surveys.forms import ActionForm, MessageForm
from schoolportal.surveys.models import CHOICE_KINDS, YES_NO
from schoolportal.views import me
from schoolportal.views.surveys import bp


@bp.get("/surveys/<int:survey_id>/results")
@authz.staff_only
def results(survey_id):
    """Counts and percentages per question, and who answered what when the survey is named."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    questions = answers.questions_of(survey)
    total, tallies = survey_results.tally(survey, questions)
    expected = survey_results.audience_size(survey)
    return render_page(
        "surveys/results.html", survey=survey, questions=questions, total=total,
        tallies=tallies, expected=expected, action_form=ActionForm(),
        rate=round(100 * total / expected) if expected else 0,
        named=survey_results.named_rows(survey, questions))


@bp.get("/surveys/<int:survey_id>/results.csv")
@authz.staff_only
def results_csv(survey_id):
    """The answers as a CSV file (without names for an anonymous survey)."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    text = survey_results.to_csv(survey, answers.questions_of(survey))
    response = Response("\ufeff" + text, mimetype="text/csv")  # the BOM tells Excel it is UTF-8
    response.headers["Content-Disposition"] = f'attachment; filename="enquete-{survey.id}.csv"'
    return response


@bp.get("/surveys/<int:survey_id>/message")
@authz.staff_only
def message(survey_id):
    """Write a mail to everyone who gave one answer (named surveys only)."""
    survey, question, bar = _selection_or_404(survey_id, request.args)
    return _message_page(survey, question, bar, MessageForm(formdata=None))


@bp.post("/surveys/<int:survey_id>/message")
@authz.staff_only
def message_submit(survey_id):
    """Send the mail through the outbox to the selected parents."""
    survey, question, bar = _selection_or_404(survey_id, request.form)
    form = MessageForm()
    if not form.validate_on_submit():
        return _message_page(survey, question, bar, form, status=422)
    parents = survey_results.selected_parents(survey, question, bar.choice)
    sent = survey_results.send_message(survey, parents, form.subject.data.strip(),
                                       form.body.data.strip(), me())
    flash(_("Your message has been sent to %(count)d parents.", count=sent), "success")
    return redirect(url_for(".results", survey_id=survey.id))


def _selection_or_404(survey_id, values):
    """The survey, question and answer a selection names; 404 for anything else."""
    survey = policy.manageable_survey_or_404(current_user, survey_id)
    if survey.anonymous:
        abort(404)  # nobody may find out who gave an anonymous answer
    question_id, choice = values.get("question", ""), values.get("choice", "")
    question = next((q for q in answers.questions_of(survey)
                     if str(q.id) == question_id), None)
    if question is None or (question.kind not in CHOICE_KINDS and question.kind != YES_NO):
        abort(404)
    _total, [tally] = survey_results.tally(survey, [question])
    bar = next((b for b in tally.bars if b.choice == choice), None)
    if bar is None:
        abort(404)
    return survey, question, bar


def _message_page(survey, question, bar, form, status=200):
    """The message form, with the parents it goes to."""
    return render_page("surveys/message.html", status=status, survey=survey, question=question,
                       bar=bar, form=form,
                       parents=survey_results.selected_parents(survey, question, bar.choice))
