"""Permission slips per child with their answers and history, read confirmations on posts,
and the sent-log of reminders (issue 21)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create slip, slip_question, slip_answer, slip_answer_history, read_request,
    read_confirmation and form_reminder."""

    @migrator.create_model
    class Slip(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        description = pw.TextField(default='')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='CASCADE')
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], null=True, on_delete='SET NULL')
        deadline = pw.DateField()
        remind_days_before = pw.IntegerField(default=2, constraints=[pw.Check("remind_days_before BETWEEN 0 AND 14")])
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "slip"

    @migrator.create_model
    class SlipQuestion(pw.Model):
        id = pw.AutoField()
        slip = pw.ForeignKeyField(column_name='slip_id', field='id', model=migrator.orm['slip'], on_delete='CASCADE')
        position = pw.IntegerField(default=0)
        kind = pw.CharField(max_length=8, constraints=[pw.Check("kind IN ('yes_no','choice','text')")])
        text = pw.CharField(max_length=300)
        options = pw.TextField(default='')
        required = pw.BooleanField(default=True)

        class Meta:
            table_name = "slip_question"

    @migrator.create_model
    class SlipAnswer(pw.Model):
        id = pw.AutoField()
        slip = pw.ForeignKeyField(column_name='slip_id', field='id', model=migrator.orm['slip'], on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        answered_by = pw.ForeignKeyField(column_name='answered_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        answered_at = pw.DateTimeField()
        version = pw.IntegerField(default=1)
        answer_json = pw.TextField(default='{}')

        class Meta:
            table_name = "slip_answer"
            indexes = [(('slip', 'pupil'), True)]

    @migrator.create_model
    class SlipAnswerHistory(pw.Model):
        id = pw.AutoField()
        slip = pw.ForeignKeyField(column_name='slip_id', field='id', model=migrator.orm['slip'], on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        version = pw.IntegerField()
        answered_by = pw.ForeignKeyField(column_name='answered_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        answered_at = pw.DateTimeField()
        answer_json = pw.TextField(default='{}')

        class Meta:
            table_name = "slip_answer_history"
            indexes = [(('slip', 'pupil', 'version'), True)]

    @migrator.create_model
    class ReadRequest(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], unique=True, on_delete='CASCADE')
        requested_by = pw.ForeignKeyField(column_name='requested_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        requested_at = pw.DateTimeField()

        class Meta:
            table_name = "read_request"

    @migrator.create_model
    class ReadConfirmation(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], on_delete='CASCADE')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        confirmed_at = pw.DateTimeField()

        class Meta:
            table_name = "read_confirmation"
            indexes = [(('post', 'account'), True)]

    @migrator.create_model
    class FormReminder(pw.Model):
        id = pw.AutoField()
        subject = pw.CharField(max_length=24)
        rule = pw.CharField(max_length=24)
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        sent_at = pw.DateTimeField()

        class Meta:
            table_name = "form_reminder"
            indexes = [(('subject', 'rule', 'account'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("form_reminder")
    migrator.remove_model("read_confirmation")
    migrator.remove_model("read_request")
    migrator.remove_model("slip_answer_history")
    migrator.remove_model("slip_answer")
    migrator.remove_model("slip_question")
    migrator.remove_model("slip")
