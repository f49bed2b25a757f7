"""Notifications (issue 17): push devices, choices per kind, quiet hours, notices, deliveries."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create push_subscription, notification_choice, quiet_hours, notice and push_delivery."""

    @migrator.create_model
    class PushSubscription(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        endpoint = pw.CharField(max_length=1000, unique=True)
        p256dh = pw.CharField(max_length=200)
        auth = pw.CharField(max_length=50)
        label = pw.CharField(default='', max_length=100)
        created_at = pw.DateTimeField()
        last_success_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "push_subscription"

    @migrator.create_model
    class NotificationChoice(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        kind = pw.CharField(max_length=20)
        channel = pw.CharField(max_length=8, constraints=[pw.Check("channel IN ('push','mail','digest','off')")])

        class Meta:
            table_name = "notification_choice"
            indexes = [(('user', 'kind'), True)]

    @migrator.create_model
    class QuietHours(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], unique=True, on_delete='CASCADE')
        starts_at = pw.TimeField(null=True)
        ends_at = pw.TimeField(null=True)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "quiet_hours"

    @migrator.create_model
    class Notice(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        kind = pw.CharField(max_length=20)
        channel = pw.CharField(max_length=8, constraints=[pw.Check("channel IN ('push','digest')")])
        title = pw.CharField(max_length=200)
        body = pw.CharField(default='', max_length=200)
        url = pw.CharField(max_length=500)
        source = pw.CharField(default='', index=True, max_length=40)
        urgent = pw.BooleanField(default=False)
        held = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()
        not_before = pw.DateTimeField()
        released_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notice"
            indexes = [(('channel', 'released_at', 'not_before'), False)]

    @migrator.create_model
    class PushDelivery(pw.Model):
        id = pw.AutoField()
        subscription = pw.ForeignKeyField(column_name='subscription_id', field='id', model=migrator.orm['push_subscription'], on_delete='CASCADE')
        payload = pw.TextField()
        status = pw.CharField(default='pending', max_length=8, constraints=[pw.Check("status IN ('pending','sent','dead')")])
        attempts = pw.IntegerField(default=0)
        next_attempt_at = pw.DateTimeField()
        claimed_until = pw.DateTimeField(null=True)
        last_error = pw.TextField(null=True)
        created_at = pw.DateTimeField()
        sent_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "push_delivery"
            indexes = [(('status', 'next_attempt_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("push_delivery")
    migrator.remove_model("notice")
    migrator.remove_model("quiet_hours")
    migrator.remove_model("notification_choice")
    migrator.remove_model("push_subscription")
