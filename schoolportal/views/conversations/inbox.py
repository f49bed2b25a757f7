"""Private conversations: the inbox, one conversation, answering, new messages, files.

Who may read or write where is decided in authz (conversation_or_404): anyone else gets
404, also for guessed ids. Messages are never edited: there is no route for it. Starting
a conversation is in conversations_new.py; directory and office hours in
conversations_directory.py.
"""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.conversations import directory, policy, service
from schoolportal.conversations.forms import ReplyForm
from schoolportal.core import media
from schoolportal.core.models import ROLE_PARENT
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views import me
from schoolportal.views.conversations import bp


@bp.get("/conversations")
@authz.signed_in
def inbox():
    """The user's conversations, newest first, unread ones marked."""
    everything = request.args.get("all") == "1" and policy.reads_every_conversation(current_user)
    entries = (service.every_conversation(current_user) if everything
               else service.inbox(current_user))
    return render_page("conversations/inbox.html", entries=entries, everything=everything,
                       safeguarding=policy.reads_every_conversation(current_user))


@bp.get("/conversations/<int:conversation_id>")
@authz.signed_in
def conversation(conversation_id):
    """One conversation with its messages; opening it marks them read."""
    found, may_write = policy.conversation_or_404(current_user, conversation_id)
    return _conversation_page(found, may_write, ReplyForm(formdata=None))


@bp.post("/conversations/<int:conversation_id>")
@authz.signed_in
def reply(conversation_id):
    """Add a message; htmx gets the fresh form and the new messages appended in place."""
    found, may_write = policy.conversation_or_404(current_user, conversation_id)
    if not may_write:
        flash(_("You can read this conversation, but not write in it."), "error")
        return redirect(url_for(".conversation", conversation_id=found.id))
    form = ReplyForm()
    if not form.validate_on_submit():
        return _conversation_page(found, may_write, form, status=422)
    try:
        message = service.post(found, me(), form.body.data, form.attachment.data)
    except media.MediaRejected as rejected:
        form.attachment.errors.append(rejected.message)
        return _conversation_page(found, may_write, form, status=422)
    if wants_fragment():
        return _new_messages(found, request.form.get("after", 0, type=int),
                             "partials/conversations/reply_update.html",
                             form=ReplyForm(formdata=None), may_write=True)
    flash(_("Your message has been sent."), "success")
    return redirect(url_for(".conversation", conversation_id=found.id,
                            _anchor=f"message-{message.id}"))


@bp.get("/conversations/<int:conversation_id>/messages")
@authz.signed_in
def new_messages(conversation_id):
    """For htmx: the messages after `after`, appended in place; 204 when there are none."""
    found, _may_write = policy.conversation_or_404(current_user, conversation_id)
    if not wants_fragment():
        return redirect(url_for(".conversation", conversation_id=found.id))
    after = request.args.get("after", 0, type=int)
    if service.newest_message_id(found.id) <= after:
        return "", 204
    return _new_messages(found, after, "partials/conversations/new_messages.html")


@bp.get("/conversations/files/<int:attachment_id>")
@authz.signed_in
def attachment(attachment_id):
    """A file sent in a conversation, only for those who may read the conversation."""
    found = policy.message_attachment_or_404(current_user, attachment_id)
    return media.send(service.AREA, found.name, found.download_name, found.mimetype,
                      inline=found.mimetype.startswith("image/"))


def _conversation_page(found, may_write, form, status=200):
    """The conversation page (for htmx: the reply form); marks it read for the reader."""
    if wants_fragment() and status != 200:
        return render_page("conversations/conversation.html",
                           "partials/conversations/reply_form.html", status=status,
                           conversation=found, form=form, may_write=may_write)
    thread = service.thread(found)
    # What the reader had read before this visit (0 for an admin who is not a member).
    read_until = next((member.read_until for member in thread.members
                       if member.id == current_user.id), 0)
    service.mark_read(found, current_user)
    newest = thread.messages[-1].id if thread.messages else 0
    return render_page(
        "conversations/conversation.html", status=status, conversation=found, thread=thread,
        others=service.others_in(thread.members, current_user, found), form=form,
        may_write=may_write, read_until=read_until, after=newest,
        expected=_answer_expected(found, thread.members))


def _new_messages(found, after, fragment, **context):
    """The fragment that appends messages after `after` and moves the poll link on."""
    messages = service.messages_after(found, after)
    if messages:
        service.mark_read(found, current_user, messages[-1].id)
        after = messages[-1].id
    return render_page(fragment, fragment, conversation=found, messages=messages, after=after,
                       read_until=after, **context)


def _answer_expected(found, members):
    """For a parent: when staff in this conversation will answer, if outside office hours."""
    if current_user.role != ROLE_PARENT:
        return None
    staff = [user.id for user in members if user.role != ROLE_PARENT]
    if not staff:
        return None
    # With several staff (the office: every admin), one of them in office hours is enough.
    return directory.answer_expected(directory.hours_of(staff))

