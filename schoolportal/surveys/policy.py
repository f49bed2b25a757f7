"""Who may see and change surveys and calls for help."""

from schoolportal.authz import (
    found_or_404,
    nothing,
    real_id_or_404,
    staffed_group_ids,
    visible_group_ids,
    visible_groups,
)
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Group
from schoolportal.surveys.models import HelpCall, Survey, SurveyGroup


def _surveys_for(groups):
    """Subquery: the surveys addressed to any of these groups."""
    return SurveyGroup.select(SurveyGroup.survey).where(SurveyGroup.group.in_(groups))


def addressable_groups(user):
    """The groups this user may address a survey or call to: admins any, staff their own."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.ordered())
    return visible_groups(user)


def may_address_whole_school(user):
    """Only admins (office, director) ask the whole school."""
    return user.role == ROLE_ADMIN


def manageable_surveys(user):
    """Surveys this user builds and reads: admins all, staff those only for their own groups."""
    query = Survey.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return nothing(query)
    staffed = staffed_group_ids(user)
    elsewhere = SurveyGroup.select(SurveyGroup.survey).where(SurveyGroup.group.not_in(staffed))
    return query.where(~Survey.school_wide & Survey.id.in_(_surveys_for(staffed))
                       & Survey.id.not_in(elsewhere))


def manageable_survey_or_404(user, survey_id):
    """A survey this user may build and read; 404 otherwise, also for guessed ids."""
    return found_or_404(manageable_surveys(user).where(
        Survey.id == real_id_or_404(survey_id)).first())


def answerable_surveys(user):
    """Published surveys for this parent: the whole school's and their children's groups'."""
    groups = answering_groups(user)
    if groups is None:
        return nothing(Survey.select().where(Survey.published_at.is_null(False)))
    return surveys_of_groups(groups)


def answering_groups(user):
    """The ids of the groups whose surveys this user answers besides the school-wide ones: a
    parent's visible groups (a list); None for anyone else, who answers none."""
    return visible_group_ids(user) if user.role == ROLE_PARENT else None


def surveys_of_groups(group_ids):
    """Published surveys for the whole school and for these groups (`answerable_surveys` of
    the parent whose groups they are)."""
    return Survey.select().where(Survey.published_at.is_null(False) & (
        Survey.school_wide | Survey.id.in_(_surveys_for(group_ids))))


def answerable_survey_or_404(user, survey_id):
    """A survey this parent may see and answer; 404 otherwise (other groups, drafts, guesses)."""
    return found_or_404(answerable_surveys(user).where(
        Survey.id == real_id_or_404(survey_id)).first())


def visible_calls(user):
    """Calls for help this user sees: the whole school's and those of their visible groups."""
    groups = call_groups(user)
    return HelpCall.select() if groups is None else calls_of_groups(groups)


def call_groups(user):
    """The groups whose calls this user sees besides the whole school's: None for admins
    (every call), else the ids of their visible groups (a list)."""
    return None if user.role == ROLE_ADMIN else visible_group_ids(user)


def calls_of_groups(group_ids):
    """The whole school's calls and those of these groups (`visible_calls` of a user whose
    visible groups they are)."""
    return HelpCall.select().where(HelpCall.group.is_null() | HelpCall.group.in_(group_ids))


def visible_call_or_404(user, call_id):
    """One call this user sees; 404 otherwise, also for guessed ids."""
    return found_or_404(visible_calls(user).where(
        HelpCall.id == real_id_or_404(call_id)).first())


def manageable_calls(user):
    """Calls this user may change: admins all, staff those of their own groups."""
    query = HelpCall.select()
    if user.role == ROLE_ADMIN:
        return query
    if user.role != ROLE_STAFF:
        return nothing(query)
    return query.where(HelpCall.group.in_(staffed_group_ids(user)))


def manageable_call_or_404(user, call_id):
    """A call this user may change; 404 otherwise."""
    return found_or_404(manageable_calls(user).where(
        HelpCall.id == real_id_or_404(call_id)).first())


def may_sign_up(user, call):
    """Parents who see a call sign up for it; staff organise it."""
    return user.role == ROLE_PARENT


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "survey": (Survey, answerable_survey_or_404),
    "help_call": (HelpCall, visible_call_or_404),
}
