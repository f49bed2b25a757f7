"""Onboarding's daily work: forgetting old password-reset requests."""

from schoolportal.onboarding import password_reset

DAILY_JOBS = {"forget-password-resets": password_reset.forget_old_requests}
