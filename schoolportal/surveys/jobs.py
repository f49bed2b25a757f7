"""The surveys' daily work: reminders to parents who have not answered, and to helpers."""

from schoolportal.surveys import answers, calls

DAILY_JOBS = {
    "survey_reminders": answers.remind_non_respondents,
    "help_call_reminders": calls.remind_helpers,
}
