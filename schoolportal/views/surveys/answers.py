"""Answering a survey (parents), and changing the answer until the deadline.

For an anonymous survey the key that opens the parent's answer lives only in a signed
cookie in their browser (per survey and account, sent only to that survey's pages); the
database keeps its hash and no name. See surveys/answers.py for why.
"""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from schoolportal import authz
from schoolportal.core.i18n import formatted
from schoolportal.core.models import ROLE_PARENT, utcnow
from schoolportal.core.rendering import render_page
from schoolportal.surveys import answers, policy
from schoolportal.surveys.forms import ActionForm
from schoolportal.views import me
from schoolportal.views.surveys import bp

KEY_SALT = "survey-answer-keys"


@bp.get("/surveys/<int:survey_id>")
@authz.signed_in
def show(survey_id):
    """The answer form for parents; the survey's makers go to the editor or the results."""
    if not current_user.is_parent:
        survey = policy.manageable_survey_or_404(current_user, survey_id)
        target = ".results" if survey.is_published else ".edit"
        return redirect(url_for(target, survey_id=survey.id))
    survey = policy.answerable_survey_or_404(current_user, survey_id)
    units, done = _units_or_404(survey)
    unit = _chosen(units, request.args.get("child"))
    keys = _answer_keys(survey)
    values = answers.given_answers(survey, unit, keys.get(unit.key))
    return _answer_page(survey, units, done, unit, values, keys)


@bp.post("/surveys/<int:survey_id>")
@authz.allow(ROLE_PARENT)
def answer(survey_id):
    """Store the answers of one family or child; a mistake changes nothing and says why."""
    survey = policy.answerable_survey_or_404(current_user, survey_id)
    units, done = _units_or_404(survey)
    unit = _chosen(units, request.form.get("child"))
    if not ActionForm().validate_on_submit():
        abort(400)
    questions = answers.questions_of(survey)
    keys = _answer_keys(survey)
    try:
        values, errors = answers.parse(questions, request.form)
        if errors:
            return _answer_page(survey, units, done, unit, values, keys, questions=questions,
                                errors=errors, status=422)
        new_key = answers.submit(survey, me(), unit, values, keys.get(unit.key))
    except answers.AnswerError as error:
        return _answer_page(survey, units, done, unit, {}, keys, questions=questions,
                            problem=error.message, status=422)
    flash(_("Thank you, your answer has been saved. You can change it until %(when)s.",
            when=formatted(survey.closes_at, "datetime_short")), "success")
    response = redirect(url_for(".show", survey_id=survey.id,
                                child=unit.pupil.id if unit.pupil else None))
    if new_key:
        _remember_key(response, survey, {**keys, unit.key: new_key})
    return response


def _units_or_404(survey):
    """The parent's units for this survey; 404 when none of their children is addressed."""
    units, done = answers.units_for(current_user, survey)
    if not units:
        abort(404)
    return units, done


def _chosen(units, child_id):
    """The unit for the chosen child (per-child surveys), else the first one."""
    return next((u for u in units if u.pupil and str(u.pupil.id) == (child_id or "")), units[0])


def _cookie_name(survey):
    """One cookie per survey and account, so two people sharing a browser keep theirs apart."""
    return f"survey{survey.id}_{current_user.id}"


def _serializer():
    """Signs the cookie so nobody can make up keys or read someone else's into it."""
    return URLSafeSerializer(current_app.secret_key, salt=KEY_SALT)


def _answer_keys(survey):
    """The anonymous answer keys this browser holds for the survey: {unit: key}."""
    raw = request.cookies.get(_cookie_name(survey)) if survey.anonymous else None
    try:
        data = _serializer().loads(raw) if raw else {}
    except BadSignature:
        return {}
    if not isinstance(data, dict) or data.get("u") != current_user.id:
        return {}
    keys = data.get("k")
    return {k: v for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {}


def _remember_key(response, survey, keys):
    """Keep the keys in the browser until a week after the deadline."""
    seconds = (survey.closes_at + timedelta(days=7) - utcnow()).total_seconds()
    response.set_cookie(
        _cookie_name(survey), _serializer().dumps({"u": current_user.id, "k": keys}),
        max_age=int(min(max(seconds, 3600), 400 * 86400)), path=f"/surveys/{survey.id}",
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def _answer_page(survey, units, done, unit, values, keys, questions=None, errors=None,
                 problem=None, status=200):
    """The survey with its answer form (or, when closed, the answers given)."""
    answered = unit.key in done
    # An anonymous answer given elsewhere cannot be opened here: no form, an explanation.
    locked = survey.anonymous and answered and not keys.get(unit.key)
    return render_page(
        "surveys/answer.html", status=status, survey=survey, units=units, done=done,
        unit=unit, values=values, errors=errors or {}, problem=problem, answered=answered,
        locked=locked, is_open=survey.is_open(), form=ActionForm(),
        questions=questions if questions is not None else answers.questions_of(survey))

