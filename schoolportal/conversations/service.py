"""Private conversations: starting one, writing in it, what is unread, and mail about it.

Who may reach whom and who may read what is decided in policy.py; this module does the
writing. Two settings (read with `.get`, so a missing one means off):

- PARENT_TO_PARENT_MESSAGES (off): parents may start a conversation with parents who show
  themselves in the directory of a group their children share.
- SAFEGUARDING_ADMIN_READ (off): admins may read every conversation, without writing in it.
  Without it, admins read only conversations they take part in (as the office or as author).

Each recipient is told through the channel they chose for "messages" (notifications): a
push or a mail for a new message and no second one until the first has been read (a chat
does not flood anyone); "digest" collects unread conversations in one mail from the daily
job; "off" sends nothing. Pushes to staff wait for their working hours. A push or mail
says who wrote and links to the portal; the message itself stays inside the closed portal.
"""

from dataclasses import dataclass

from flask import g
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageAttachment,
)
from schoolportal.core import media, outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_ADMIN, Pupil, School, User, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.notifications import choices
from schoolportal.notifications import service as notifications

AREA = "messages"  # media area of attachments
THREAD_LIMIT = 100  # the newest messages shown on a conversation's page
INBOX_LIMIT = 100


@dataclass
class InboxEntry:
    """One conversation in someone's inbox."""

    conversation: Conversation
    unread: bool
    others: list  # the people in it besides the reader (admins hidden behind "the office")


@dataclass
class Thread:
    """The messages of a conversation as its page shows them."""

    messages: list  # Message with .author (or None) and .files, oldest first
    members: list  # User
    earlier_hidden: bool  # more messages exist than are shown


def unread_conversations(user):
    """The conversations holding a message this user has not read (a prepared query: every
    page's menu counts them)."""
    return _unread_of(user.id)


@prepared
def _unread_of(user_id):
    return (ConversationMember.select(ConversationMember.id).join(Conversation)
            .where((ConversationMember.user == user_id)
                   & (ConversationMember.last_read_message_id < Conversation.last_message_id)))


def unread_count(user):
    """How many conversations hold a message this user has not read (one query)."""
    return unread_conversations(user).count()


def inbox(user, limit=INBOX_LIMIT, unread_only=False):
    """The user's conversations (unread_only: those with a message they have not read),
    newest activity first, with who is in them (two queries; one when there are none)."""
    query, members = inbox_queries(user, limit, unread_only)
    rows = list(query)
    return inbox_entries(user, rows, list(members) if rows else [])


def inbox_queries(user, limit=INBOX_LIMIT, unread_only=False):
    """The queries behind `inbox`: the user's memberships with their conversations, and the
    members of those conversations (for the home page to read with its other cards; see
    inbox_entries)."""
    query = (ConversationMember.select(ConversationMember, Conversation, Pupil)
             .join(Conversation)
             .join(Pupil, JOIN.LEFT_OUTER, on=(Conversation.pupil == Pupil.id))
             .where(ConversationMember.user == user.id)
             .order_by(Conversation.last_message_id.desc())
             .limit(limit))
    if unread_only:
        query = query.where(ConversationMember.last_read_message_id
                            < Conversation.last_message_id)
    shown = query.select(ConversationMember.conversation)
    return query, _members_query(shown)


def inbox_entries(user, rows, members):
    """An InboxEntry per membership row, with the rows of inbox_queries' members query."""
    people = _by_conversation(members)
    return [InboxEntry(row.conversation,
                       row.last_read_message_id < row.conversation.last_message_id,
                       others_in(people.get(row.conversation_id, []), user, row.conversation))
            for row in rows]


def every_conversation(reader, limit=INBOX_LIMIT):
    """All conversations, newest first, for an admin under the safeguarding setting."""
    conversations = list(
        Conversation.select(Conversation, Pupil)
        .join(Pupil, JOIN.LEFT_OUTER, on=(Conversation.pupil == Pupil.id))
        .order_by(Conversation.last_message_id.desc())
        .limit(limit))
    people = _members_of([c.id for c in conversations])
    return [InboxEntry(c, False, others_in(people.get(c.id, []), reader, c))
            for c in conversations]


def thread(conversation, limit=THREAD_LIMIT):
    """The newest messages of a conversation with authors and files, and its members."""
    newest = list(
        Message.select(Message, User)
        .join(User, JOIN.LEFT_OUTER, on=(Message.author == User.id))
        .where(Message.conversation == conversation)
        .order_by(Message.id.desc())
        .limit(limit + 1))
    earlier_hidden = len(newest) > limit
    messages = _with_files(list(reversed(newest[:limit])))
    members = _members_of([conversation.id]).get(conversation.id, [])
    return Thread(messages, members, earlier_hidden)


def messages_after(conversation, message_id):
    """Messages newer than the given id, oldest first, with authors and files."""
    return _with_files(list(
        Message.select(Message, User)
        .join(User, JOIN.LEFT_OUTER, on=(Message.author == User.id))
        .where((Message.conversation == conversation) & (Message.id > message_id))
        .order_by(Message.id)
        .limit(THREAD_LIMIT)))


def newest_message_id(conversation_id):
    """The id of the newest message of a conversation, read fresh from the database."""
    return (Conversation.select(Conversation.last_message_id)
            .where(Conversation.id == conversation_id).scalar() or 0)


def last_read_by(conversation, user):
    """The id of the newest message this user had read (0 for none or a non-member)."""
    return (ConversationMember.select(ConversationMember.last_read_message_id)
            .where((ConversationMember.conversation == conversation)
                   & (ConversationMember.user == user.id))
            .scalar() or 0)


def mark_read(conversation, user, message_id=None):
    """Remember that the user has read up to a message (never moves backwards).

    Called when the user opens the conversation: it records the reader's own state
    (like a session's last-seen time) and is idempotent, so doing it on GET is safe.
    """
    upto = message_id or conversation.last_message_id
    ConversationMember.update(last_read_message_id=upto).where(
        (ConversationMember.conversation == conversation)
        & (ConversationMember.user == user.id)
        & (ConversationMember.last_read_message_id < upto)).execute()


def start(author, subject, body, recipients, pupil=None, with_office=False, upload=None):
    """Start a conversation with its first message; returns it. Raises media.MediaRejected."""
    stored = _store(upload)
    try:
        with write_transaction():
            now = utcnow()
            conversation = Conversation.create(
                subject=subject, pupil=pupil, with_office=with_office, started_by=author.id,
                created_at=now, last_message_at=now)
            member_ids = {author.id} | {user.id for user in recipients}
            ConversationMember.insert_many(
                [{"conversation": conversation.id, "user": user_id, "created_at": now}
                 for user_id in sorted(member_ids)]).execute()
            _add_message(conversation, author, body, stored)
    except Exception:
        _forget(stored)
        raise
    return conversation


def post(conversation, author, body, upload=None):
    """Add a message to a conversation the author may write in; returns the message."""
    stored = _store(upload)
    try:
        with write_transaction():
            return _add_message(conversation, author, body, stored)
    except Exception:
        _forget(stored)
        raise


def _add_message(conversation, author, body, stored):
    """Write the message and its file, move the conversation on, and tell the others."""
    message = Message.create(conversation=conversation.id, author=author.id, body=body)
    message.author = author
    message.files = []
    if stored is not None:
        message.files = [MessageAttachment.create(
            message=message.id, name=stored.name, mimetype=stored.mimetype, size=stored.size,
            download_name=stored.download_name[:120])]
    Conversation.update(last_message_id=message.id, last_message_at=message.created_at).where(
        (Conversation.id == conversation.id)
        & (Conversation.last_message_id < message.id)).execute()
    if conversation.with_office:
        _seat_the_office(conversation)
    readers = [author.id]
    if conversation.with_office and author.role == ROLE_ADMIN:
        readers = _admin_ids()  # the office answered: it is read for the whole office
    ConversationMember.update(last_read_message_id=message.id).where(
        (ConversationMember.conversation == conversation.id)
        & ConversationMember.user.in_(readers)
        & (ConversationMember.last_read_message_id < message.id)).execute()
    _mail_immediately(conversation, message, author)
    return message


def _seat_the_office(conversation):
    """Every active admin takes part in a conversation with the office (also new admins)."""
    now = utcnow()
    rows = [{"conversation": conversation.id, "user": admin_id, "created_at": now}
            for admin_id in _admin_ids()]
    if rows:
        ConversationMember.insert_many(rows).on_conflict_ignore().execute()


def _admin_ids():
    """The ids of the active admins, who together are the office."""
    return [row.id for row in User.select(User.id).where(
        (User.role == ROLE_ADMIN) & (User.active == True))]  # noqa: E712


def _mail_immediately(conversation, message, author):
    """Tell the members who want to hear at once and have read every earlier notice's message."""
    wants_it_now = User.select(User.id).where(
        (choices.users_choosing("messages", choices.PUSH)
         | choices.users_choosing("messages", choices.MAIL))
        & (User.active == True))  # noqa: E712
    # One conditional update picks the members to tell, so a burst of messages gives one mail.
    ConversationMember.update(notified_message_id=message.id).where(
        (ConversationMember.conversation == conversation.id)
        & (ConversationMember.user != author.id)
        & ConversationMember.user.in_(wants_it_now)
        & (ConversationMember.notified_message_id
           <= ConversationMember.last_read_message_id)).execute()
    told = User.select().join(ConversationMember, on=(ConversationMember.user == User.id)).where(
        (ConversationMember.conversation == conversation.id)
        & (ConversationMember.notified_message_id == message.id))
    school = _school()
    subject = _l("New message from %(name)s", name=author.display_name)
    notifications.notify(
        told, "messages", title=subject,
        url=notifications.link("conversations.conversation", conversation_id=conversation.id),
        own_digest=True, mail=lambda recipient: outbox.send(
            recipient, "conversations/new", subject, school=school, sender=author,
            conversation_url=outbox.absolute_url(
                "conversations.conversation", conversation_id=conversation.id),
            settings_url=outbox.absolute_url("notifications.settings")))


def send_digests():
    """Once a day: one mail per "daily" reader with unread conversations not mailed about."""
    with write_transaction():
        rows = list(
            ConversationMember.select(ConversationMember, User)
            .join(Conversation).switch(ConversationMember).join(User)
            .where(choices.users_choosing("messages", choices.DIGEST)
                   & (User.active == True)  # noqa: E712
                   & (ConversationMember.last_read_message_id < Conversation.last_message_id)
                   & (ConversationMember.notified_message_id < Conversation.last_message_id)))
        if not rows:
            return 0
        by_user = {}
        for row in rows:
            by_user.setdefault(row.user_id, (row.user, []))[1].append(row.id)
        school = _school()
        for recipient, conversations in by_user.values():
            count = len(conversations)
            # Lazy: the outbox renders the subject in the recipient's language.
            subject = LazyString(lambda n=count: ngettext(
                "Unread messages in %(num)d conversation",
                "Unread messages in %(num)d conversations", n))
            outbox.send(recipient, "conversations/digest", subject,
                        school=school, count=count,
                        inbox_url=outbox.absolute_url("conversations.inbox"),
                        settings_url=outbox.absolute_url("notifications.settings"))
        newest = (Conversation.select(Conversation.last_message_id)
                  .where(Conversation.id == ConversationMember.conversation))
        ConversationMember.update(notified_message_id=newest).where(
            ConversationMember.id.in_([row.id for row in rows])).execute()
    return len(by_user)


def _school():
    """The school, once per request or job."""
    if "school" not in g:
        g.school = School.current()
    return g.school


def _members_of(conversation_ids):
    """The members (User) of each conversation, keyed by conversation id, in one query; each
    with `read_until`, the newest message they had read there."""
    if not conversation_ids:
        return {}
    return _by_conversation(_members_query(conversation_ids))


def _members_query(conversations):
    """The memberships with their users of these conversations (ids or a subquery)."""
    return (ConversationMember.select(ConversationMember, User).join(User)
            .where(ConversationMember.conversation.in_(conversations))
            .order_by(User.display_name))


def _by_conversation(rows):
    """{conversation id: [User with `read_until`]} from rows of _members_query."""
    people = {}
    for row in rows:
        row.user.read_until = row.last_read_message_id or 0
        people.setdefault(row.conversation_id, []).append(row.user)
    return people


def others_in(members, reader, conversation):
    """Who the reader talks with; with the office, admins show as "the office" instead."""
    return [user for user in members if user.id != reader.id
            and not (conversation.with_office and user.role == ROLE_ADMIN)]


def _with_files(messages):
    """Attach each message's files as `.files`, in one query."""
    files = {}
    if messages:
        for attachment in MessageAttachment.select().where(
                MessageAttachment.message.in_([m.id for m in messages])).order_by(
                MessageAttachment.id):
            files.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        message.files = files.get(message.id, [])
    return messages


def _store(upload):
    """Store an uploaded file (or nothing) before the transaction; MediaRejected if refused."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return media.store(AREA, upload.stream, upload.filename)


def _forget(stored):
    """Remove a stored file whose message was not written."""
    if stored is not None:
        media.delete(AREA, stored.name)
