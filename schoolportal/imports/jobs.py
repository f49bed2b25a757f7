"""The imports' daily work: invitations when a child turns four, forgetting old previews."""

from schoolportal.imports import service

DAILY_JOBS = {
    "invite-four-year-olds": service.invite_four_year_olds,
    "forget-import-previews": service.forget_old_previews,
}
