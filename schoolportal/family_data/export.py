"""Family data export (issue 11): what the portal holds about a parent's family, as a ZIP.

The export is made for one parent account: the account itself, their children, and what
they wrote, answered or booked. What belongs to the children is included whoever entered
it (an absence or consent change by the other parent is the child's record); the other
parent's own messages, answers and sign-ups are not (they can export their own).
Conversations are exported as the parent reads them in the portal. Anonymous survey
answers cannot be traced to anyone by design, so they are not in it.

Photos: the largest variant of every photo in which one of their children is tagged and
that the parent may see (authz.visible_photos). A photo held back because another tagged
child lacks consent stays out, so the export never shows a child without consent.

JSON files per kind plus `photos/` and `profile-photo.webp`; times are UTC. The ZIP is
written to a spooled temporary file (memory first, disk when large), never a fixed path.
"""

import json
import zipfile
from pathlib import Path
from tempfile import SpooledTemporaryFile

from flask import current_app
from peewee import JOIN

from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.account import profile_photos
from schoolportal.albums import policy as albums_policy
from schoolportal.albums.models import PHOTO_AREA, Photo, PhotoTag
from schoolportal.auth import passkeys
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageAttachment,
)
from schoolportal.core import audit
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, Guardianship, Pupil, School, User, utcnow
from schoolportal.feed.models import Comment, Post
from schoolportal.meetings.models import MeetingBooking, MeetingRequest
from schoolportal.slips import keeping as slip_keeping
from schoolportal.surveys.models import (
    HelpCall,
    HelpSignup,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
)

SPOOL_BYTES = 8 * 1024 * 1024


def export(account, actor):
    """Record the export in the audit log, then build it (see `build`)."""
    with write_transaction():
        audit.record("export", "account", account.id, actor=actor)
    return build(account)


def build(account):
    """The export as an open file positioned at its start (a ZIP), for one parent."""
    children = list(Pupil.select(Pupil, Group).join(Group).join_from(Pupil, Guardianship)
                    .where(Guardianship.guardian == account).order_by(Pupil.first_name))
    child_ids = [c.id for c in children]
    spool = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        parts = {
            "about.json": _about(account),
            "profile.json": _profile(account),
            "children.json": _children(children),
            "consent.json": _consent(child_ids),
            "absences.json": _absences(child_ids),
            "meetings.json": _meetings(account, child_ids),
            "surveys.json": _surveys(account, child_ids),
            "slips.json": slip_keeping.for_family(account, child_ids),
            "messages.json": _messages(account),
            "comments.json": _comments(account),
            "passkeys.json": passkeys.export_rows(account),
        }
        photos, files = _photos(account, children)
        parts["photos.json"] = photos
        for name, data in parts.items():
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))
        for arcname, path in files:
            archive.write(path, arcname, compress_type=zipfile.ZIP_STORED)  # already compressed
    spool.seek(0)
    return spool


def _about(account):
    """What the export is, for whom and when."""
    school = School.current()
    return {"account_id": account.id, "exported_at": utcnow(), "times": "UTC",
            "school": school.name if school else ""}


def _profile(account):
    """The account as the portal stores it (never the password hash)."""
    return {"email": account.email, "name": account.display_name, "role": account.role,
            "language": account.language, "mail_notifications": account.mail_notifications,
            "created_at": account.created_at, "last_login_at": account.last_login_at,
            "profile_photo": "profile-photo.webp" if account.photo else None}


def _children(children):
    """Each child with group and guardians (names only), in one extra query."""
    guardians = {}
    rows = (Guardianship.select(Guardianship.pupil, User.display_name).join(User)
            .where(Guardianship.pupil.in_([c.id for c in children])).tuples())
    for pupil_id, name in rows:
        guardians.setdefault(pupil_id, []).append(name)
    return [{"id": c.id, "first_name": c.first_name, "last_name": c.last_name,
             "birth_date": c.birth_date, "pupil_number": c.pupil_number,
             "group": c.group.name, "school_year": c.group.school_year, "left_on": c.left_on,
             "guardians": sorted(guardians.get(c.id, []))} for c in children]


def _consent(child_ids):
    """Current choices and every change, per child."""
    current = (Consent.select(Consent, ConsentCategory).join(ConsentCategory)
               .where(Consent.pupil.in_(child_ids))
               .order_by(Consent.pupil, ConsentCategory.position))
    changer = User.alias()
    history = (ConsentChange.select(ConsentChange, ConsentCategory, changer)
               .join(ConsentCategory).switch(ConsentChange)
               .join(changer, JOIN.LEFT_OUTER, on=(ConsentChange.changed_by == changer.id))
               .where(ConsentChange.pupil.in_(child_ids)).order_by(ConsentChange.changed_at))
    return {
        "current": [{"child_id": c.pupil_id, "category": c.category.name, "granted": c.granted,
                     "updated_at": c.updated_at} for c in current],
        "history": [{"child_id": c.pupil_id, "category": c.category.name, "old": c.old_value,
                     "new": c.new_value, "changed_at": c.changed_at,
                     "changed_by": c.changed_by.display_name if c.changed_by_id else None}
                    for c in history],
    }


def _absences(child_ids):
    """Absence reports and leave requests of the children, by whoever of the family."""
    reports = AbsenceReport.with_people().where(AbsenceReport.pupil.in_(child_ids))
    leave = LeaveRequest.with_people().where(LeaveRequest.pupil.in_(child_ids))
    return {
        "reports": [{"child_id": r.pupil_id, "reason": r.reason, "reason_text": r.reason_text,
                     "starts_on": r.starts_on, "ends_on": r.ends_on, "start_time": r.start_time,
                     "end_time": r.end_time, "note": r.note, "late": r.late,
                     "reported_at": r.created_at} for r in reports],
        "leave": [{"child_id": r.pupil_id, "starts_on": r.starts_on, "ends_on": r.ends_on,
                   "reason": r.reason, "status": r.status, "decision_note": r.decision_note,
                   "requested_at": r.created_at} for r in leave],
    }


def _meetings(account, child_ids):
    """Bookings for the children (the family's or this parent's) and requests they made."""
    bookings = MeetingBooking.with_details().where(
        MeetingBooking.pupil.in_(child_ids)
        & MeetingBooking.scope.in_([0, account.id]))
    requests = MeetingRequest.select().where(MeetingRequest.asked_by == account)
    return {
        "bookings": [{"child_id": b.pupil_id, "starts_at": b.slot.starts_at,
                      "ends_at": b.slot.ends_at, "teacher": b.slot.teacher.display_name,
                      "round": b.round.title if b.round_id else None} for b in bookings],
        "requests": [{"child_id": r.pupil_id, "reason": r.reason, "status": r.status,
                      "created_at": r.created_at} for r in requests],
    }


def _surveys(account, child_ids):
    """Named answers (theirs, or for their children) and sign-ups for calls for help."""
    answers = (SurveyAnswer.select(SurveyAnswer, SurveyResponse, Survey, SurveyQuestion,
                                   SurveyOption)
               .join(SurveyResponse).join(Survey).switch(SurveyAnswer).join(SurveyQuestion)
               .switch(SurveyAnswer).join(SurveyOption, JOIN.LEFT_OUTER)
               .where(SurveyResponse.answer_key_hash.is_null()
                      & ((SurveyResponse.account == account)
                         | SurveyResponse.pupil.in_(child_ids)))
               .order_by(Survey.id, SurveyQuestion.position))
    signups = HelpSignup.select(HelpSignup, HelpCall).join(HelpCall).where(
        HelpSignup.parent == account)
    return {
        "answers": [{"survey": a.response.survey.title, "child_id": a.response.pupil_id,
                     "question": a.question.text,
                     "answer": a.option.label if a.option_id else _plain_answer(a),
                     "updated_at": a.response.updated_at} for a in answers],
        "help_signups": [{"call": s.call.title, "event_on": s.call.event_on,
                          "signed_up_at": s.created_at} for s in signups],
    }


def _plain_answer(answer):
    """Yes/no, number or text, whichever the question asked."""
    if answer.yes is not None:
        return answer.yes
    return answer.number if answer.number is not None else answer.text


def _messages(account):
    """Every conversation they take part in, as they read it, with the files' names."""
    theirs = ConversationMember.select(ConversationMember.conversation).where(
        ConversationMember.user == account)
    messages = (Message.select(Message, Conversation, User)
                .join(Conversation).switch(Message).join(User, JOIN.LEFT_OUTER)
                .where(Message.conversation.in_(theirs)).order_by(Conversation.id, Message.id))
    files = {}
    for a in MessageAttachment.select().where(MessageAttachment.message.in_(
            Message.select(Message.id).where(Message.conversation.in_(theirs)))):
        files.setdefault(a.message_id, []).append(a.download_name)
    conversations = {}
    for m in messages:
        entry = conversations.setdefault(m.conversation_id, {
            "subject": m.conversation.subject, "messages": []})
        entry["messages"].append({
            "from": m.author.display_name if m.author_id else None,
            "mine": m.author_id == account.id, "sent_at": m.created_at, "text": m.body,
            "attachments": files.get(m.id, [])})
    return list(conversations.values())


def _comments(account):
    """Reactions they wrote on group posts."""
    rows = (Comment.select(Comment, Post).join(Post).where(Comment.author == account)
            .order_by(Comment.created_at))
    return [{"post": c.post.title, "written_at": c.created_at, "text": c.body,
             "hidden_by_staff": c.hidden_at is not None} for c in rows]


def _photos(account, children):
    """(list, files): photos showing their children that they may see; largest JPEG each."""
    names = {c.id: c.first_name for c in children}
    tagged = PhotoTag.select(PhotoTag.photo).where(PhotoTag.pupil.in_(list(names)))
    photos = list(albums_policy.visible_photos(account).where(Photo.id.in_(tagged))
                  .order_by(Photo.id))
    in_photo = {}
    for photo_id, pupil_id in (PhotoTag.select(PhotoTag.photo, PhotoTag.pupil).where(
            PhotoTag.photo.in_([p.id for p in photos]) & PhotoTag.pupil.in_(list(names)))
            .tuples()):
        in_photo.setdefault(photo_id, []).append(names[pupil_id])
    root = Path(current_app.config["MEDIA_ROOT"]) / PHOTO_AREA
    listed, files = [], []
    for photo in photos:
        arcname = f"photos/{photo.id}.jpg"
        path = root / photo.file_name(photo.width_list[-1], "jpg")
        files.append((arcname, path))
        listed.append({"file": arcname, "album": photo.album.title, "caption": photo.caption,
                       "taken_into_portal_at": photo.created_at,
                       "your_children_in_it": sorted(in_photo.get(photo.id, []))})
    if account.photo:
        path = profile_photos.path_of(account.photo, profile_photos.LARGE)
        files.append(("profile-photo.webp", str(path)))
    return listed, [(a, p) for a, p in files if _exists(p)]


def _exists(path):
    """True when the file is on disk (a missing variant is left out, not an error)."""
    return Path(path).is_file()
