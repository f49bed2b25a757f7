"""Notifications: push devices, choices per kind, quiet hours, notices and push deliveries."""

import peewee as pw

from schoolportal.core.models import BaseModel, User, utcnow

PUSH_PENDING = "pending"
PUSH_SENT = "sent"
PUSH_DEAD = "dead"


class PushSubscription(BaseModel):
    """One browser on one device that receives Web Push for a user (RFC 8030)."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    endpoint = pw.CharField(max_length=1000, unique=True)  # the push service's URL for it
    p256dh = pw.CharField(max_length=200)  # the browser's public key (RFC 8291)
    auth = pw.CharField(max_length=50)  # the shared authentication secret
    label = pw.CharField(max_length=100, default="")  # "Chrome op Android", for the device list
    created_at = pw.DateTimeField(default=utcnow)
    last_success_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "push_subscription"


class NotificationChoice(BaseModel):
    """How a user wants to hear about one kind of thing; no row means the default."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = pw.CharField(max_length=20)
    channel = pw.CharField(
        max_length=8, constraints=[pw.Check("channel IN ('push','mail','digest','off')")])

    class Meta:
        table_name = "notification_choice"
        indexes = ((("user", "kind"), True),)


class QuietHours(BaseModel):
    """A user's quiet hours (local time); no row means the default of the role."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    starts_at = pw.TimeField(null=True)  # both null: no quiet hours
    ends_at = pw.TimeField(null=True)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "quiet_hours"


class Notice(BaseModel):
    """Something to tell one user by push or in the daily summary, written with the event.

    Title and body are rendered in the user's language and hold nothing sensitive. The
    worker releases a push notice once `not_before` has passed (quiet hours, working hours,
    a scheduled post); the digest job collects the digest notices once a day.
    """

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = pw.CharField(max_length=20)
    channel = pw.CharField(max_length=8, constraints=[pw.Check("channel IN ('push','digest')")])
    title = pw.CharField(max_length=200)
    body = pw.CharField(max_length=200, default="")
    url = pw.CharField(max_length=500)  # a path inside the portal
    source = pw.CharField(max_length=40, default="", index=True)  # "post:12": to withdraw
    urgent = pw.BooleanField(default=False)
    held = pw.BooleanField(default=False)  # waited for quiet or working hours
    created_at = pw.DateTimeField(default=utcnow)
    not_before = pw.DateTimeField(default=utcnow)
    released_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "notice"
        indexes = ((("channel", "released_at", "not_before"), False),)


class PushDelivery(BaseModel):
    """One encrypted push to one subscription; the worker retries it until the service takes it."""

    subscription = pw.ForeignKeyField(PushSubscription, backref="+", on_delete="CASCADE")
    payload = pw.TextField()  # JSON: title, body, url, tag
    status = pw.CharField(max_length=8, default=PUSH_PENDING,
                          constraints=[pw.Check("status IN ('pending','sent','dead')")])
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    claimed_until = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "push_delivery"
        indexes = ((("status", "next_attempt_at"), False),)
