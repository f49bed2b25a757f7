"""The conversations' daily work: the digest of unread messages and the retention rule."""

from flask_babel import lazy_gettext as _l

from schoolportal.conversations import service
from schoolportal.conversations.models import Conversation, Message, MessageAttachment
from schoolportal.conversations.service import AREA as MESSAGES_AREA
from schoolportal.core import media, retention
from schoolportal.core.database import write_transaction


@retention.rule("messages", _l("Messages"), _l(
    "A conversation is deleted with its messages and attached files the set number of days "
    "after its last message."),
    setting=("RETENTION_MESSAGES_DAYS", 2 * 365))
class MessageRetention:
    """Conversations whose last message is older than RETENTION_MESSAGES_DAYS."""

    @staticmethod
    def _old_conversations():
        """The conversations past retention (a subquery of ids)."""
        return Conversation.select(Conversation.id).where(
            Conversation.last_message_at < retention.limit("messages"))

    @staticmethod
    def due(today):
        """How many conversations the next purge deletes."""
        return MessageRetention._old_conversations()

    @staticmethod
    def purge(today):
        """Delete the conversations (messages cascade), then the files; returns how many."""
        with write_transaction():
            old = MessageRetention._old_conversations()
            files = [row.name for row in MessageAttachment.select(MessageAttachment.name)
                     .join(Message).where(Message.conversation.in_(old))]
            removed = Conversation.delete().where(Conversation.id.in_(old)).execute()
        for name in files:
            media.delete(MESSAGES_AREA, name)
        return removed


DAILY_JOBS = {"message_digest": service.send_digests}
RETENTION_RULES = (MessageRetention,)
