"""The meetings' daily work (reminders the day before a meeting) and mails the worker renders."""

from schoolportal.meetings import mails

DAILY_JOBS = {"meeting_reminders": mails.send_reminders}
MAIL_RENDERERS = {"meetings/confirmed": mails.confirmation}
