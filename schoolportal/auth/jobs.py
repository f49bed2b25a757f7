"""Logging in's daily work: forgetting passkey challenges nobody answered."""

from schoolportal.auth import passkeys

DAILY_JOBS = {"forget-passkey-challenges": passkeys.forget_expired_challenges}
