"""One real object of every type, owned by Groep 1/2A, for the authorization and CSRF walks.

The walks (tests/authz/test_walk.py) loop over `authz.FINDERS`, the registry every area's
policy fills. A new object type must join them here, in one place:

1. write a maker below: `@maker("kind")` on a function `(owners) -> id` that creates one
   object of the kind belonging to Groep 1/2A (juf Sanne's group, Sem Jansen's class);
2. if a URL names the object with a new argument, add it to ARGUMENT_KINDS (per blueprint
   when two blueprints use one argument name for different kinds).

The walk fails with a message naming what is missing.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import time, timedelta

from schoolportal.core.clock import school_today
from schoolportal.core.models import Group, OutboxMail, Pupil, User, utcnow
from tests.support.web import ADMIN, PARENT, TEACHER

MAKERS = {}  # kind -> function(owners) -> id


def maker(kind):
    """Register the function that makes the walk's object of one kind."""

    def register(function):
        MAKERS[kind] = function
        return function

    return register


# Which object kind a URL argument names: {argument: kind} or {argument: {blueprint: kind}}.
ARGUMENT_KINDS = {
    "group_id": "group", "pupil_id": "pupil", "report_id": "absence_report",
    "leave_id": "leave_request", "album_id": "album", "photo_id": "photo",
    "activity_id": "activity", "media_id": "coaching_media", "category_id": "consent_category",
    "conversation_id": "conversation", "erasure_id": "erasure", "post_id": "post",
    "comment_id": "comment", "invitation_id": "invitation", "round_id": "meeting_round",
    "block_id": "meeting_block", "slot_id": "meeting_slot", "booking_id": "meeting_booking",
    "survey_id": "survey", "call_id": "help_call", "mail_id": "outbox_mail",
    "question_id": "survey_question", "user_id": "parent_account",
    "guardian_id": "parent_account",
    "attachment_id": {"feed": "post_attachment", "conversations": "message_attachment"},
    "request_id": {"access": "access_request", "meetings": "meeting_request"},
    "account_id": {"admin": "staff_account", "auth": "staff_account",
                   "family_data": "parent_account"},
    "device_id": "push_subscription", "passkey_id": "passkey", "slip_id": "slip",
}

# URL arguments that are not objects: the value the walk uses.
PLAIN_ARGUMENTS = {
    "size": lambda today: 64, "width": lambda today: 320, "ext": lambda today: "webp",
    "year": lambda today: today.year, "month": lambda today: today.month,
    "start_year": lambda today: today.year if today.month >= 8 else today.year - 1,
}


# Query strings some pages need to show anything: {endpoint: function(ids) -> {name: value}}.
QUERIES = {
    "surveys.message": lambda ids: {"question": ids["survey_question"], "choice": "yes"},
}


@dataclass
class Owners:
    """Groep 1/2A and the people of it the objects belong to."""

    group: Group
    sanne: User  # its teacher
    jansen: User  # a parent in it
    sem: Pupil  # Jansen's child, in it
    admin: User


def owners():
    """The owners, read from the demo school."""
    jansen = User.by_email(PARENT)
    sem = Pupil.select().join_from(Pupil, Group).where(
        (Group.name == "Groep 1/2A") & (Pupil.first_name == "Sem")).get()
    return Owners(Group.get(Group.name == "Groep 1/2A"), User.by_email(TEACHER), jansen, sem,
                  User.by_email(ADMIN))


def make_all():
    """One object of every kind (the makers' order), as {kind: id}."""
    made = owners()
    return {kind: make(made) for kind, make in MAKERS.items()}


def _key():
    return secrets.token_hex(16)


# --- the core's types and accounts -----------------------------------------------------

@maker("group")
def _group(o):
    return o.group.id


@maker("pupil")
def _pupil(o):
    return o.sem.id


@maker("parent_account")
def _parent_account(o):
    import io

    from PIL import Image

    from schoolportal.account import profile_photos

    # With a profile photo: whom staff of another group may not see (issue 18).
    picture = io.BytesIO()
    Image.new("RGB", (80, 80), "orange").save(picture, "PNG")
    picture.seek(0)
    profile_photos.store(o.jansen, picture)
    return o.jansen.id


@maker("staff_account")
def _staff_account(o):
    return o.sanne.id


@maker("outbox_mail")
def _outbox_mail(o):
    return OutboxMail.create(to_email=o.jansen.email, subject="Welkom in Groep 1/2A",
                             body_text="Sem Jansen", body_html="<p>Sem Jansen</p>",
                             template="test/walk", language="nl").id


@maker("invitation")
def _invitation(o):
    from schoolportal.invitations.models import Invitation

    return Invitation.create(user=o.jansen, pupil=o.sem, token_hash=_key(),
                             invited_by=o.sanne, expires_at=utcnow() + timedelta(days=7)).id


@maker("access_request")
def _access_request(o):
    from schoolportal.access.models import AccessRequest

    return AccessRequest.create(
        child_first_name="Sem", child_last_name="Jansen", child_birth_date=o.sem.birth_date,
        requester_name="Opa Jansen", email="opa.jansen@example.org", relation="carer",
        ip="127.0.0.1", status="pending").id


# --- absence ---------------------------------------------------------------------------

@maker("absence_report")
def _absence_report(o):
    from schoolportal.absence.models import AbsenceReport

    return AbsenceReport.create(pupil=o.sem, reported_by=o.jansen, reason="sick",
                                starts_on=school_today(), submission_key=_key()).id


@maker("leave_request")
def _leave_request(o):
    from schoolportal.absence.models import LeaveRequest

    start = school_today() + timedelta(days=30)
    return LeaveRequest.create(pupil=o.sem, requested_by=o.jansen, starts_on=start,
                               ends_on=start + timedelta(days=2), reason="Bruiloft oma",
                               status="pending", submission_key=_key()).id


# --- feed ------------------------------------------------------------------------------

def _group_post(o):
    from schoolportal.feed.models import Post

    post = Post.get_or_none((Post.group == o.group) & (Post.title == "Walk: onze uitstap"))
    return post or Post.create(author=o.sanne, group=o.group, kind="message",
                               title="Walk: onze uitstap", body="Sem Jansen was erbij.",
                               body_html="<p>Sem Jansen was erbij.</p>",
                               published_at=utcnow())


@maker("post")
def _post(o):
    return _group_post(o).id


@maker("comment")
def _comment(o):
    from schoolportal.feed.models import Comment

    return Comment.create(post=_group_post(o), author=o.jansen, body="Leuk, Sem!").id


@maker("post_attachment")
def _post_attachment(o):
    from schoolportal.feed.models import PostAttachment

    return PostAttachment.create(post=_group_post(o), file_name=_key(),
                                 mimetype="application/pdf", size=10,
                                 download_name="brief-groep-1-2a.pdf").id


# --- albums ----------------------------------------------------------------------------

def _group_album(o):
    from schoolportal.albums.models import Album

    album = Album.get_or_none((Album.group == o.group) & (Album.title == "Walk: herfst"))
    return album or Album.create(title="Walk: herfst", group=o.group, created_by=o.sanne)


@maker("album")
def _album(o):
    return _group_album(o).id


@maker("photo")
def _photo(o):
    from schoolportal.albums.models import Photo

    return Photo.create(album=_group_album(o), stem=_key(), widths="320", width=320,
                        height=240, uploaded_by=o.sanne, checked_at=utcnow()).id


# --- meetings --------------------------------------------------------------------------

def _round(o):
    from schoolportal.meetings import rounds
    from schoolportal.meetings.models import MeetingRound

    found = MeetingRound.get_or_none(MeetingRound.title == "Walk: rapportgesprekken")
    if found:
        return found
    now = utcnow()
    made = rounds.save_round(None, {
        "title": "Walk: rapportgesprekken", "kind": "report", "place": "Lokaal 1",
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7)},
        [o.group.id], o.sanne)
    rounds.add_block(made, o.sanne, school_today() + timedelta(days=10), time(15), time(16), 10)
    MeetingRound.update(published_at=now).where(MeetingRound.id == made.id).execute()
    return MeetingRound.get_by_id(made.id)


@maker("meeting_round")
def _meeting_round(o):
    return _round(o).id


def _shared_round(o):
    """A round shared by Groep 1/2A and Groep 5 (the red team's case): juf Sanne's times in it
    belong to Groep 1/2A, so meester Ahmed sees the round but none of her slots or bookings."""
    from schoolportal.meetings import rounds
    from schoolportal.meetings.models import MeetingRound

    found = MeetingRound.get_or_none(MeetingRound.title == "Gedeelde ronde (1/2A en 5)")
    if found:
        return found
    now = utcnow()
    groups = [o.group.id, Group.get(Group.name == "Groep 5").id]
    made = rounds.save_round(None, {
        "title": "Gedeelde ronde (1/2A en 5)", "kind": "report", "place": "Aula",
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7)},
        groups, o.admin)
    rounds.add_block(made, o.sanne, school_today() + timedelta(days=11), time(15), time(16), 10)
    MeetingRound.update(published_at=now).where(MeetingRound.id == made.id).execute()
    return MeetingRound.get_by_id(made.id)


@maker("meeting_block")
def _meeting_block(o):
    from schoolportal.meetings.models import MeetingBlock

    return MeetingBlock.get(MeetingBlock.round == _shared_round(o)).id


def _slots(o):
    from schoolportal.meetings.models import MeetingSlot

    return list(MeetingSlot.select().where(MeetingSlot.round == _shared_round(o))
                .order_by(MeetingSlot.starts_at))


@maker("meeting_slot")
def _meeting_slot(o):
    return _slots(o)[-1].id  # a free one


@maker("meeting_booking")
def _meeting_booking(o):
    from schoolportal.meetings import booking
    from schoolportal.meetings.models import MeetingBooking

    slot = _slots(o)[0]
    booking.book(slot, o.sem.id, o.jansen)
    return MeetingBooking.get(MeetingBooking.slot == slot.id).id


@maker("meeting_request")
def _meeting_request(o):
    from schoolportal.meetings.models import MeetingRequest

    return MeetingRequest.create(pupil=o.sem, asked_by=o.jansen, teacher=o.sanne,
                                 reason="Even bijpraten over Sem").id


# --- calendar, surveys, help ------------------------------------------------------------

@maker("activity")
def _activity(o):
    from schoolportal.calendar.models import Activity, ActivityGroup

    day = school_today() + timedelta(days=5)
    activity = Activity.create(title="Walk: kleuteruitje", starts_on=day, ends_on=day,
                               whole_school=False, created_by=o.sanne)
    ActivityGroup.create(activity=activity, group=o.group)
    return activity.id


@maker("calendar_import")
def _calendar_import(o):
    from schoolportal.calendar.models import CalendarImport

    # Reached by its random key, not its id (the preview form names it).
    return CalendarImport.create(key=_key(), uploaded_by=o.sanne, file_name="groep12a.ics",
                                 plan="[]").key


def _group_survey(o):
    from schoolportal.surveys.models import Survey, SurveyGroup

    found = Survey.get_or_none(Survey.title == "Walk: schoolreis")
    if found:
        return found
    survey = Survey.create(title="Walk: schoolreis", closes_at=utcnow() + timedelta(days=7),
                           published_at=utcnow(), created_by=o.sanne)
    SurveyGroup.create(survey=survey, group=o.group)
    return survey


@maker("survey")
def _survey(o):
    return _group_survey(o).id


@maker("survey_question")
def _survey_question(o):
    from schoolportal.surveys.models import SurveyQuestion

    return SurveyQuestion.create(survey=_group_survey(o), kind="yes_no",
                                 text="Gaat Sem mee?").id


@maker("slip")
def _slip(o):
    """A permission slip of Groep 1/2A under the walk's post, answered for Sem, and a read
    request on that post confirmed by his parent."""
    from schoolportal.slips import answers, building
    from schoolportal.slips.models import ReadConfirmation, ReadRequest

    post = _group_post(o)
    slip = building.create(o.sanne, o.group, "Walk: kinderboerderij", "Walk: uitleg",
                           school_today() + timedelta(days=5), 2,
                           [("yes_no", "Mag Sem mee?", [], True)], post=post)
    question = slip.questions.get()
    answers.submit(slip, o.sem, o.jansen, {str(question.id): "yes"}, 0, school_today())
    ReadRequest.get_or_create(post=post, defaults={"requested_by": o.sanne})
    ReadConfirmation.get_or_create(post=post, account=o.jansen)
    return slip.id


@maker("help_call")
def _help_call(o):
    from schoolportal.surveys.models import HelpCall

    return HelpCall.create(title="Walk: rijders gezocht", group=o.group,
                           event_on=school_today() + timedelta(days=9), places=4,
                           created_by=o.sanne).id


# --- conversations ----------------------------------------------------------------------

def _conversation_with_sanne(o):
    from schoolportal.conversations.models import Conversation, ConversationMember, Message

    found = Conversation.get_or_none(Conversation.subject == "Walk: Sem")
    if found:
        return found
    conversation = Conversation.create(subject="Walk: Sem", pupil=o.sem, started_by=o.jansen)
    for person in (o.jansen, o.sanne):
        ConversationMember.create(conversation=conversation, user=person)
    message = Message.create(conversation=conversation, author=o.jansen, body="Sem is moe.")
    Conversation.update(last_message_id=message.id).where(
        Conversation.id == conversation.id).execute()
    return conversation


@maker("conversation")
def _conversation(o):
    return _conversation_with_sanne(o).id


@maker("message_attachment")
def _message_attachment(o):
    from schoolportal.conversations.models import Message, MessageAttachment

    message = Message.get(Message.conversation == _conversation_with_sanne(o))
    return MessageAttachment.create(message=message, name=_key(), mimetype="application/pdf",
                                    size=10, download_name="verklaring-sem.pdf").id


# --- consent, coaching, privacy, imports -------------------------------------------------

@maker("consent_category")
def _consent_category(o):
    from schoolportal.consent.models import ConsentCategory

    return ConsentCategory.select().order_by(ConsentCategory.id).first().id


@maker("coaching_media")
def _coaching_media(o):
    from schoolportal.coaching.models import CoachingMedia

    return CoachingMedia.create(
        title="Walk: kringgesprek", purpose="Coaching juf Sanne", group=o.group,
        file_name=_key(), mimetype="video/mp4", size=10, download_name="kring.mp4",
        destroy_on=school_today() + timedelta(days=30), scheduled_by=o.sanne).id


@maker("erasure")
def _erasure(o):
    from schoolportal.family_data.models import Erasure

    return Erasure.create(account=o.jansen, reason="request",
                          account_ids=json.dumps([o.jansen.id]),
                          pupil_ids=json.dumps([o.sem.id]),
                          due_on=school_today() + timedelta(days=30), requested_by=o.admin).id


@maker("pupil_import")
def _pupil_import(o):
    from schoolportal.imports.models import PupilImport

    # Reached by its random key, not its id (the preview form names it).
    return PupilImport.create(key=_key(), uploaded_by=o.admin, file_name="groep12a.csv",
                              content="", plan_digest="0" * 64).key


@maker("edexml_import")
def _edexml_import(o):
    from schoolportal.imports.models import EdexmlImport

    # Reached by its random key, not its id (the preview form names it).
    return EdexmlImport.create(key=_key(), uploaded_by=o.admin, file_name="EDEX.XML",
                               content="{}", plan_digest="0" * 64,
                               school_year="2026-2027").key


@maker("push_subscription")
def _push_subscription(o):
    from schoolportal.notifications.models import PushSubscription

    # Sem's parent's phone: only its owner may turn it off.
    return PushSubscription.create(user=o.jansen, endpoint=f"https://push.example.org/{_key()}",
                                   p256dh="BKey", auth="auth", label="Telefoon").id


@maker("passkey")
def _passkey(o):
    from schoolportal.auth.models import Passkey

    # Sem's parent's passkey: only its owner may remove it.
    return Passkey.create(user=o.jansen, credential_id=_key(), user_handle=_key(),
                          public_key="pk", name="Telefoon").id
