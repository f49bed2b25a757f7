"""The feed: posts, their attachments, comments, read receipts, queued mails, house rules."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the feed's tables."""

    @migrator.create_model
    class Post(pw.Model):
        id = pw.AutoField()
        author = pw.ForeignKeyField(column_name='author_id', field='id', model=migrator.orm['account'], on_delete='RESTRICT')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], null=True, on_delete='CASCADE')
        kind = pw.CharField(default='message', max_length=10, constraints=[pw.Check("kind IN ('message','article','report','newsletter')")])
        title = pw.CharField(max_length=200)
        body = pw.TextField()
        body_html = pw.TextField()
        pinned = pw.BooleanField(default=False)
        urgent = pw.BooleanField(default=False)
        published_at = pw.DateTimeField(null=True)
        edited_at = pw.DateTimeField(null=True)
        comments_closed_at = pw.DateTimeField(null=True)
        comments_closed_by = pw.ForeignKeyField(column_name='comments_closed_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        notified_at = pw.DateTimeField(null=True)
        digested_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "post"
            indexes = [
                (('pinned', 'published_at'), False),
                (('group', 'published_at'), False),
            ]

    @migrator.create_model
    class PostAttachment(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], on_delete='CASCADE')
        file_name = pw.CharField(max_length=64)
        mimetype = pw.CharField(max_length=120)
        size = pw.IntegerField()
        download_name = pw.CharField(max_length=100)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "post_attachment"

    @migrator.create_model
    class Comment(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], on_delete='CASCADE')
        author = pw.ForeignKeyField(column_name='author_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        body = pw.TextField()
        created_at = pw.DateTimeField()
        hidden_at = pw.DateTimeField(null=True)
        hidden_by = pw.ForeignKeyField(column_name='hidden_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "post_comment"
            indexes = [(('post', 'created_at'), False)]

    @migrator.create_model
    class PostRead(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], on_delete='CASCADE', index=False)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        read_at = pw.DateTimeField()

        class Meta:
            table_name = "post_read"
            indexes = [(('post', 'user'), True)]

    @migrator.create_model
    class PostMail(pw.Model):
        id = pw.AutoField()
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], on_delete='CASCADE')
        mail = pw.ForeignKeyField(column_name='mail_id', field='id', model=migrator.orm['outbox_mail'], on_delete='CASCADE', unique=True)

        class Meta:
            table_name = "post_mail"

    @migrator.create_model
    class CommentRules(pw.Model):
        id = pw.AutoField()
        body = pw.TextField()
        body_html = pw.TextField()
        updated_by = pw.ForeignKeyField(column_name='updated_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "comment_rules"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the feed's tables, children first."""
    for table in ("comment_rules", "post_mail", "post_read", "post_comment", "post_attachment",
                  "post"):
        migrator.remove_model(table)
