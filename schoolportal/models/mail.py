"""The mail outbox, and the record of daily jobs the worker has run."""

import peewee as pw

from .base import BaseModel, utcnow

MAIL_PENDING = "pending"
MAIL_SENT = "sent"
MAIL_DEAD = "dead"


class OutboxMail(BaseModel):
    """One mail, written in the same transaction as the action that causes it."""

    to_email = pw.CharField(max_length=254)
    template = pw.CharField(max_length=64)
    language = pw.CharField(max_length=5)
    subject = pw.CharField(max_length=255)
    body_text = pw.TextField()
    body_html = pw.TextField()
    status = pw.CharField(
        max_length=8, default=MAIL_PENDING,
        constraints=[pw.Check("status IN ('pending','sent','dead')")],
    )
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    claimed_until = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "outbox_mail"
        indexes = ((("status", "next_attempt_at"), False),)

    @classmethod
    def due(cls, now):
        """Pending mails whose turn has come and that no worker holds."""
        return cls.select().where(
            (cls.status == MAIL_PENDING)
            & (cls.next_attempt_at <= now)
            & (cls.claimed_until.is_null() | (cls.claimed_until < now))
        ).order_by(cls.id)


class JobRun(BaseModel):
    """A daily job that has run on a day; the unique key lets only one worker run it."""

    name = pw.CharField(max_length=64)
    day = pw.DateField()
    started_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "job_run"
        indexes = ((("name", "day"), True),)
