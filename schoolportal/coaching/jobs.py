"""Coaching's daily work: footage is destroyed on its date (a retention rule)."""

from schoolportal.coaching import service

RETENTION_RULES = (service.CoachingRetention,)
