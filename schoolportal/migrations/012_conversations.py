"""Conversations between parents and staff, office hours and the group directory."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the conversation, member, message, attachment, office hours and directory tables."""

    @migrator.create_model
    class Conversation(pw.Model):
        id = pw.AutoField()
        subject = pw.CharField(max_length=150)
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], null=True, on_delete='SET NULL')
        with_office = pw.BooleanField(default=False)
        started_by = pw.ForeignKeyField(column_name='started_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        last_message_id = pw.IntegerField(default=0)
        last_message_at = pw.DateTimeField()

        class Meta:
            table_name = "conversation"
            constraints = [pw.Check("length(subject) > 0")]

    @migrator.create_model
    class ConversationMember(pw.Model):
        id = pw.AutoField()
        conversation = pw.ForeignKeyField(column_name='conversation_id', field='id', model=migrator.orm['conversation'], on_delete='CASCADE')
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        last_read_message_id = pw.IntegerField(default=0)
        notified_message_id = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "conversation_member"
            indexes = [(('conversation', 'user'), True)]

    @migrator.create_model
    class Message(pw.Model):
        id = pw.AutoField()
        conversation = pw.ForeignKeyField(column_name='conversation_id', field='id', model=migrator.orm['conversation'], on_delete='CASCADE')
        author = pw.ForeignKeyField(column_name='author_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        body = pw.TextField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "conversation_message"
            constraints = [pw.Check("length(body) BETWEEN 1 AND 5000")]

    @migrator.create_model
    class MessageAttachment(pw.Model):
        id = pw.AutoField()
        message = pw.ForeignKeyField(column_name='message_id', field='id', model=migrator.orm['conversation_message'], on_delete='CASCADE')
        name = pw.CharField(max_length=64, unique=True)
        mimetype = pw.CharField(max_length=120)
        size = pw.IntegerField()
        download_name = pw.CharField(max_length=120)

        class Meta:
            table_name = "message_attachment"

    @migrator.create_model
    class OfficeHours(pw.Model):
        id = pw.AutoField()
        staff = pw.ForeignKeyField(column_name='staff_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        weekday = pw.SmallIntegerField()
        starts_at = pw.TimeField()
        ends_at = pw.TimeField()

        class Meta:
            table_name = "office_hours"
            indexes = [(('staff', 'weekday'), True)]
            constraints = [pw.Check("weekday BETWEEN 0 AND 6"), pw.Check("starts_at < ends_at")]

    @migrator.create_model
    class DirectoryEntry(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], unique=True, on_delete='CASCADE')
        show_in_directory = pw.BooleanField(default=False)
        show_email = pw.BooleanField(default=False)
        show_phone = pw.BooleanField(default=False)
        phone = pw.CharField(default='', max_length=20)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "directory_entry"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("directory_entry")
    migrator.remove_model("office_hours")
    migrator.remove_model("message_attachment")
    migrator.remove_model("conversation_message")
    migrator.remove_model("conversation_member")
    migrator.remove_model("conversation")
