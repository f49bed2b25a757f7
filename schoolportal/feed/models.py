"""The group feed and school-wide news: posts, comments, attachments, read receipts."""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, OutboxMail, User, utcnow

# bericht, blog/artikel, verslag, nieuwsbrief
KINDS = ("message", "article", "report", "newsletter")


class Post(BaseModel):
    """A post by staff to the whole school (group is null) or to one group.

    A post to several groups is stored once per group, so each group keeps its own
    reactions and read receipts: parents never see who reacted in another group.
    `published_at` null is a draft; a moment in the future is a scheduled post.
    """

    author = pw.ForeignKeyField(User, backref="posts", on_delete="RESTRICT")
    group = pw.ForeignKeyField(Group, null=True, backref="posts", on_delete="CASCADE")
    kind = pw.CharField(
        max_length=10, default="message",
        constraints=[pw.Check("kind IN ('message','article','report','newsletter')")],
    )
    title = pw.CharField(max_length=200)
    body = pw.TextField()  # Markdown, as the author wrote it
    body_html = pw.TextField()  # rendered and sanitised once, when saved
    pinned = pw.BooleanField(default=False)
    urgent = pw.BooleanField(default=False)
    published_at = pw.DateTimeField(null=True)
    edited_at = pw.DateTimeField(null=True)  # changed after publication: shown as "edited"
    comments_closed_at = pw.DateTimeField(null=True)
    comments_closed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    notified_at = pw.DateTimeField(null=True)  # mails to the "at once" parents are queued
    digested_at = pw.DateTimeField(null=True)  # handled by the daily digest
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "post"
        indexes = (
            (("pinned", "published_at"), False),  # the timeline, newest first
            (("group", "published_at"), False),  # one group's timeline
        )

    @property
    def is_school_wide(self):
        """True for a post to everyone at school (nobody comments on those)."""
        return self.group_id is None

    @property
    def comments_open(self):
        """True while reactions may be added (group posts that staff have not closed)."""
        return self.group_id is not None and self.comments_closed_at is None


class PostAttachment(BaseModel):
    """A file with a post; the bytes live under MEDIA_ROOT/attachments (see media.py)."""

    post = pw.ForeignKeyField(Post, backref="attachments", on_delete="CASCADE")
    file_name = pw.CharField(max_length=64)  # media's random name; copies of a post share it
    mimetype = pw.CharField(max_length=120)
    size = pw.IntegerField()
    download_name = pw.CharField(max_length=100)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "post_attachment"


class Comment(BaseModel):
    """A reaction on a group post; its author can no longer change or delete it."""

    post = pw.ForeignKeyField(Post, backref="comments", on_delete="CASCADE")
    author = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    body = pw.TextField()
    created_at = pw.DateTimeField(default=utcnow)
    hidden_at = pw.DateTimeField(null=True)  # staff hid it; who and when are kept
    hidden_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "post_comment"
        indexes = ((("post", "created_at"), False),)


class PostRead(BaseModel):
    """Someone opened a post (in the feed or on its own page): read receipts, "new" marks."""

    post = pw.ForeignKeyField(Post, backref="+", on_delete="CASCADE", index=False)
    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    read_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "post_read"
        indexes = ((("post", "user"), True),)


class PostMail(BaseModel):
    """A notification queued for a scheduled post, withdrawn if the post changes first."""

    post = pw.ForeignKeyField(Post, backref="+", on_delete="CASCADE")
    mail = pw.ForeignKeyField(OutboxMail, backref="+", on_delete="CASCADE", unique=True)

    class Meta:
        table_name = "post_mail"


class CommentRules(BaseModel):
    """The school's house rules for reactions; every change is a new row (the newest counts)."""

    body = pw.TextField()  # Markdown
    body_html = pw.TextField()
    updated_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "comment_rules"

    @classmethod
    def current(cls):
        """The rules as last saved, or None while the school uses the default rules."""
        return cls.select().order_by(cls.id.desc()).first()
