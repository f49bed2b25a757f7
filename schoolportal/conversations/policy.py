"""Who may see and change conversations and the group directory."""

from flask import abort, current_app
from peewee import JOIN, SQL, fn

from schoolportal.authz import (
    found_or_404,
    nothing,
    real_id_or_404,
    visible_group_ids,
    visible_pupils,
)
from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    DirectoryEntry,
    Message,
    MessageAttachment,
)
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    GroupStaff,
    Guardianship,
    Pupil,
    User,
)


def admins_read_every_conversation():
    """The safeguarding setting SAFEGUARDING_ADMIN_READ: admins may read (not write in) all.

    Off by default: a private conversation is read only by the people in it. A school that
    needs admins to read along for child safeguarding turns it on and says so to parents.
    """
    return bool(current_app.config.get("SAFEGUARDING_ADMIN_READ", False))


def reads_every_conversation(user):
    """True for an admin while the safeguarding setting lets admins read every conversation."""
    return user.role == ROLE_ADMIN and admins_read_every_conversation()


def parents_may_message_parents():
    """The setting PARENT_TO_PARENT_MESSAGES: parents may write to parents (off by default)."""
    return bool(current_app.config.get("PARENT_TO_PARENT_MESSAGES", False))


def conversation_or_404(user, conversation_id):
    """(conversation, may_write) for someone who may read it; 404 otherwise, also for guesses.

    Members read and write. Admins read and write where the office takes part; under the
    safeguarding setting they read every other conversation, without writing in it.
    """
    # The conversation, its child, and whether the user takes part, in one statement.
    member = fn.EXISTS(ConversationMember.select(SQL("1")).where(
        (ConversationMember.conversation == Conversation.id)
        & (ConversationMember.user == user.id)))
    conversation = found_or_404(
        Conversation.select(Conversation, Pupil, member.alias("user_is_member"))
        .join(Pupil, JOIN.LEFT_OUTER, on=(Conversation.pupil == Pupil.id))
        .where(Conversation.id == real_id_or_404(conversation_id)).first())
    if conversation.user_is_member or (user.role == ROLE_ADMIN and conversation.with_office):
        return conversation, True
    if user.role == ROLE_ADMIN and admins_read_every_conversation():
        return conversation, False
    abort(404)


def message_attachment_or_404(user, attachment_id):
    """A file sent in a conversation, for those who may read that conversation; else 404."""
    attachment = found_or_404(
        MessageAttachment.select(MessageAttachment, Message).join(Message)
        .where(MessageAttachment.id == real_id_or_404(attachment_id)).first())
    conversation_or_404(user, attachment.message.conversation_id)
    return attachment


def _reachable_accounts():
    """A filter for accounts that can read what is sent to them: active and activated."""
    return (User.active == True) & User.password_hash.is_null(False)  # noqa: E712


def staff_reachable_by_parent(user):
    """The teachers a parent may write to, with the child each teaches: [(teacher, pupil)]."""
    if user.role != ROLE_PARENT:
        return []
    children = {pupil.id: pupil for pupil in visible_pupils(user)}
    groups = {pupil.group_id for pupil in children.values()}
    teachers = (GroupStaff.select(GroupStaff, User).join(User)
                .where(GroupStaff.group.in_(list(groups)) & _reachable_accounts())
                .order_by(User.display_name))
    by_group = {}
    for row in teachers:
        by_group.setdefault(row.group_id, []).append(row.staff)
    return [(teacher, pupil) for pupil in children.values()
            for teacher in by_group.get(pupil.group_id, [])]


def parents_reachable_by_parent(user):
    """Parents a parent may write to: none, unless the school allows it; then the parents
    who show themselves in the directory of a group this parent's children are in."""
    if user.role != ROLE_PARENT or not parents_may_message_parents():
        return nothing(User.select())
    shared_groups = visible_group_ids(user)
    children_there = Pupil.select(Pupil.id).where(
        Pupil.group.in_(shared_groups) & Pupil.at_school())
    in_directory = DirectoryEntry.select(DirectoryEntry.user).where(
        DirectoryEntry.show_in_directory == True)  # noqa: E712
    guardians = Guardianship.select(Guardianship.guardian).where(
        Guardianship.pupil.in_(children_there))
    return User.select().where(
        User.id.in_(guardians) & User.id.in_(in_directory) & (User.id != user.id)
        & (User.role == ROLE_PARENT) & _reachable_accounts()).order_by(User.display_name)


def pupils_reachable_by_staff(user):
    """Pupils whose guardians a member of staff may write to: own groups; all for admins."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(visible_pupils(user))
    return visible_pupils(user)


def reachable_pupil_or_404(user, pupil_id):
    """A pupil whose guardians this member of staff may write to; 404 otherwise."""
    return found_or_404(pupils_reachable_by_staff(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def guardians_reachable_by_staff(user, pupil):
    """The guardians of this pupil who can read a message, for staff who may reach the pupil."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return []
    return list(User.select().join(Guardianship, on=(Guardianship.guardian == User.id)).where(
        (Guardianship.pupil == pupil) & (User.role == ROLE_PARENT) & _reachable_accounts()
    ).order_by(User.display_name))


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "conversation": (Conversation, conversation_or_404),
    "message_attachment": (MessageAttachment, message_attachment_or_404),
}
