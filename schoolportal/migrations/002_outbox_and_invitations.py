"""The mail outbox, daily job runs, and invitations."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the outbox, job run and invitation tables."""
    

    @migrator.create_model
    class Invitation(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], null=True, on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        invited_by = pw.ForeignKeyField(column_name='invited_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "invitation"

    @migrator.create_model
    class JobRun(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=64)
        day = pw.DateField()
        started_at = pw.DateTimeField()

        class Meta:
            table_name = "job_run"
            indexes = [(('name', 'day'), True)]

    @migrator.create_model
    class OutboxMail(pw.Model):
        id = pw.AutoField()
        to_email = pw.CharField(max_length=254)
        template = pw.CharField(max_length=64)
        language = pw.CharField(max_length=5)
        subject = pw.CharField(max_length=255)
        body_text = pw.TextField()
        body_html = pw.TextField()
        status = pw.CharField(default='pending', max_length=8, constraints=[pw.Check("status IN ('pending','sent','dead')")])
        attempts = pw.IntegerField(default=0)
        next_attempt_at = pw.DateTimeField()
        claimed_until = pw.DateTimeField(null=True)
        last_error = pw.TextField(null=True)
        created_at = pw.DateTimeField()
        sent_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "outbox_mail"
            indexes = [(('status', 'next_attempt_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("invitation")
    migrator.remove_model("job_run")
    migrator.remove_model("outbox_mail")
