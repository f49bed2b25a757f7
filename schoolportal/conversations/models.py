"""Private conversations between parents and staff, and the group directory.

Messages are never changed after sending: there is no update path for them. Unread state
is kept as message ids (ids only grow), so "unread" is one comparison per conversation.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Pupil, User, utcnow

SUBJECT_MAX = 150
BODY_MAX = 5000


class Conversation(BaseModel):
    """A private conversation; only its members (and the office, when it takes part) read it."""

    subject = pw.CharField(max_length=SUBJECT_MAX)
    # The child it is about (a teacher's conversation with guardians is always about one).
    pupil = pw.ForeignKeyField(Pupil, null=True, backref="+", on_delete="SET NULL")
    # The school office takes part as one shared recipient: every admin may read and answer.
    with_office = pw.BooleanField(default=False)
    started_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    last_message_id = pw.IntegerField(default=0)  # the newest message, for unread counts
    last_message_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "conversation"
        constraints = [pw.Check("length(subject) > 0")]


class ConversationMember(BaseModel):
    """Someone who takes part in a conversation, with how far they have read."""

    conversation = pw.ForeignKeyField(Conversation, backref="members", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    last_read_message_id = pw.IntegerField(default=0)
    # The newest message a mail has told this member about (no second mail until read).
    notified_message_id = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "conversation_member"
        indexes = ((("conversation", "user"), True),)


class Message(BaseModel):
    """One message in a conversation; written once, never edited."""

    conversation = pw.ForeignKeyField(Conversation, backref="messages", on_delete="CASCADE")
    author = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    body = pw.TextField()
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "conversation_message"
        constraints = [pw.Check(f"length(body) BETWEEN 1 AND {BODY_MAX}")]


class MessageAttachment(BaseModel):
    """A file sent with a message, stored by media.py under the area "messages"."""

    message = pw.ForeignKeyField(Message, backref="attachments", on_delete="CASCADE")
    name = pw.CharField(max_length=64, unique=True)  # random file name under MEDIA_ROOT/messages
    mimetype = pw.CharField(max_length=120)
    size = pw.IntegerField()
    download_name = pw.CharField(max_length=120)

    class Meta:
        table_name = "message_attachment"


class OfficeHours(BaseModel):
    """When a member of staff reads and answers messages, on one day of the week."""

    staff = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    weekday = pw.SmallIntegerField()  # 0 = Monday, as Python's date.weekday()
    starts_at = pw.TimeField()
    ends_at = pw.TimeField()

    class Meta:
        table_name = "office_hours"
        indexes = ((("staff", "weekday"), True),)
        constraints = [pw.Check("weekday BETWEEN 0 AND 6"), pw.Check("starts_at < ends_at")]


class DirectoryEntry(BaseModel):
    """A parent's choice to appear in the directory of their children's groups, and how."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    show_in_directory = pw.BooleanField(default=False)
    show_email = pw.BooleanField(default=False)
    show_phone = pw.BooleanField(default=False)
    phone = pw.CharField(max_length=20, default="")
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "directory_entry"
