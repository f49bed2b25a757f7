"""Family erasure: accounts closed at once; after the purge no trace in any table or file."""

import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest

from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.access.models import AccessRequest
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.calendar.models import CalendarFeed
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    DirectoryEntry,
    Message,
    MessageAttachment,
)
from schoolportal.core import sessions
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    AuditEntry,
    AuthSession,
    Group,
    Guardianship,
    KnownDevice,
    LoginAttempt,
    OutboxMail,
    Pupil,
    User,
    utcnow,
)
from schoolportal.family_data import erasure
from schoolportal.family_data.models import DONE, Erasure
from schoolportal.feed.models import Comment, Post, PostRead
from schoolportal.invitations.models import Invitation
from schoolportal.meetings.models import MeetingBooking, MeetingRound, MeetingSlot
from schoolportal.onboarding.models import PasswordReset
from schoolportal.surveys.models import (
    HelpCall,
    HelpSignup,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
)
from tests.support.web import OTHER_PARENT, TEACHER, TWO_GROUP_PARENT, csrf_token_from, login

CO_PARENT = "karim.elmansouri@example.org"
SECRETS = ["El Mansouri", "Nadia", "Karim", "Yasmin", "elmansouri", "RB-1003", "RB-1004",
           "2019-02-28", "2015-11-03", "06-12345678"]
BIRTHS = {"RB-1003": date(2019, 2, 28), "RB-1004": date(2015, 11, 3)}


def write_photo(media_root, album, pupils, caption="", widths=(320, 1280)):
    """A photo row with real files for each variant, tagged with these pupils."""
    stem = secrets.token_hex(16)
    photo = Photo.create(album=album, stem=stem, widths=",".join(map(str, widths)),
                         width=widths[-1], height=widths[-1] // 2, caption=caption)
    folder = Path(media_root) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    for name in photo.file_names():
        (folder / name).write_bytes(f"photo {stem} {name}".encode())
    for pupil in pupils:
        PhotoTag.create(photo=photo, pupil=pupil)
    return photo


def write_file(media_root, area, extension="txt", data=b"file"):
    """A file under MEDIA_ROOT/<area> with a random name, as media.py makes them."""
    name = f"{secrets.token_hex(16)}.{extension}"
    folder = Path(media_root) / area
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name


def seed_family(app):
    """Give the El Mansouri family (and a second guardian) data in every area.

    Returns the file names they have under MEDIA_ROOT and ids worth checking.
    """
    media_root = app.config["MEDIA_ROOT"]
    nadia = User.by_email(TWO_GROUP_PARENT)
    karim = User.create(email=CO_PARENT, display_name="Karim El Mansouri", role="parent",
                        password_hash=nadia.password_hash)
    yasmin, adam = (Pupil.get(Pupil.pupil_number == n) for n in ("RB-1003", "RB-1004"))
    for child in (yasmin, adam):
        Pupil.update(birth_date=BIRTHS[child.pupil_number]).where(Pupil.id == child.id).execute()
        Guardianship.create(guardian=karim, pupil=child)
    teacher = User.by_email(TEACHER)
    sem = Pupil.get(Pupil.pupil_number == "RB-1001")
    group = Group.get(Group.name == "Groep 1/2A")
    files = []

    profile = secrets.token_hex(16)
    (Path(media_root) / "profiles").mkdir(parents=True, exist_ok=True)
    for size in (64, 256):
        (Path(media_root) / "profiles" / f"{profile}-{size}.webp").write_bytes(b"face")
        files.append(f"{profile}-{size}.webp")
    User.update(photo=profile).where(User.id == nadia.id).execute()

    post = Post.create(author=teacher, group=group, title="Herfstwandeling", body="Bos",
                       body_html="<p>Bos</p>", published_at=utcnow() - timedelta(hours=1))
    comment = Comment.create(post=post, author=nadia, body="Yasmin vond het geweldig! Nadia")
    Comment.create(post=post, author=teacher, body="Fijn om te horen")
    PostRead.create(post=post, user=nadia)

    about = Conversation.create(subject="Yasmin en zwemmen", pupil=yasmin, started_by=teacher)
    general = Conversation.create(subject="Vraag van Nadia", started_by=nadia)
    for conversation in (about, general):
        ConversationMember.create(conversation=conversation, user=nadia)
        ConversationMember.create(conversation=conversation, user=teacher)
    Message.create(conversation=about, author=teacher, body="Yasmin zwemt goed")
    mine = Message.create(conversation=general, author=nadia, body="Groet, Nadia El Mansouri")
    Message.create(conversation=general, author=teacher, body="Dank je wel")
    attachment = write_file(media_root, "messages")
    files.append(attachment)
    MessageAttachment.create(message=mine, name=attachment, mimetype="text/plain", size=4,
                             download_name="brief-yasmin.txt")

    today = school_today()
    AbsenceReport.create(pupil=yasmin, reported_by=nadia, reason="other",
                         reason_text="Yasmin naar de tandarts", starts_on=today, ends_on=today,
                         submission_key=secrets.token_hex(8))
    LeaveRequest.create(pupil=adam, requested_by=karim, starts_on=today, ends_on=today,
                        reason="Bruiloft van Karim", submission_key=secrets.token_hex(8))

    meeting = MeetingRound.create(title="Rapport", opens_at=utcnow(), published_at=utcnow(),
                                  closes_at=utcnow() + timedelta(days=3))
    slot = MeetingSlot.create(round=meeting, teacher=teacher, status="booked",
                              starts_at=utcnow() + timedelta(days=5),
                              ends_at=utcnow() + timedelta(days=5, minutes=10))
    MeetingBooking.create(slot=slot, round=meeting, pupil=yasmin, booked_by=nadia)

    survey = Survey.create(title="Lunch", closes_at=utcnow() + timedelta(days=3),
                           school_wide=True, published_at=utcnow())
    question = SurveyQuestion.create(survey=survey, kind="text", text="Wensen?")
    response = SurveyResponse.create(survey=survey, unit=f"account:{nadia.id}", account=nadia,
                                     updated_at=utcnow())
    SurveyAnswer.create(response=response, question=question, text="Yasmin eet geen vlees")
    SurveyRespondent.create(survey=survey, unit=f"account:{nadia.id}", account=nadia)
    call = HelpCall.create(title="Rijders", event_on=today, places=4, taken=2)
    HelpSignup.create(call=call, parent=nadia)
    HelpSignup.create(call=call, parent=User.by_email(OTHER_PARENT))

    category = ConsentCategory.create(key="portal-group", name="Portaal groep", space="group")
    Consent.create(pupil=yasmin, category=category, granted=True, updated_by=nadia)
    ConsentChange.create(pupil=yasmin, category=category, new_value=True, changed_by=nadia)
    Consent.create(pupil=sem, category=category, granted=True)

    album = Album.create(title="Herfst", group=group)
    shared = write_photo(media_root, album, [yasmin, sem], caption="Yasmin en Sem")
    alone = write_photo(media_root, album, [yasmin])
    untouched = write_photo(media_root, album, [sem])
    Album.update(cover_photo_id=alone.id).where(Album.id == album.id).execute()
    files += shared.file_names() + alone.file_names()

    Invitation.create(user=karim, pupil=adam, token_hash=secrets.token_hex(32),
                      expires_at=utcnow() + timedelta(days=7))
    PasswordReset.create(email=nadia.email, ip="127.0.0.1", user=nadia,
                         token_hash=secrets.token_hex(32), expires_at=utcnow())
    AccessRequest.create(child_first_name="Yasmin", child_last_name="El Mansouri",
                         child_birth_date=BIRTHS["RB-1003"], requester_name="Karim El Mansouri",
                         email=CO_PARENT, relation="parent", ip="127.0.0.1")
    KnownDevice.create(user=nadia, token_hash=secrets.token_hex(32))
    LoginAttempt.create(email=nadia.email, ip="127.0.0.1")
    CalendarFeed.create(user=nadia, token_hash=secrets.token_hex(32))
    DirectoryEntry.create(user=nadia, show_in_directory=True, phone="06-12345678")
    OutboxMail.create(to_email=nadia.email, template="x", language="nl", subject="Hallo Nadia",
                      body_text="Beste Nadia", body_html="<p>Beste Nadia</p>")
    OutboxMail.create(to_email=teacher.email, template="x", language="nl", subject="Afwezig",
                      body_text="Yasmin El Mansouri is afwezig", body_html="<p>...</p>")
    return {"files": files, "comment": comment.id, "post": post.id, "untouched": untouched,
            "slot": slot.id, "call": call.id, "general": general.id, "about": about.id,
            "pupils": [yasmin.id, adam.id], "accounts": [nadia.id, karim.id]}


def _text_columns():
    """(table, column) of every text-like column in the database."""
    found = []
    for table in db.get_tables():
        for column in db.get_columns(table):
            kind = column.data_type.lower()
            if any(word in kind for word in ("char", "text", "clob")):
                found.append((table, column.name))
    return found


def _date_columns():
    """(table, column) of every date column."""
    return [(t, c.name) for t in db.get_tables() for c in db.get_columns(t)
            if c.data_type.lower() == "date"]


def find_anywhere(needles):
    """[(table, column, value)] for every text cell holding one of the needles (any case)."""
    hits = []
    for table, column in _text_columns():
        for (value,) in db.execute_sql(f'SELECT "{column}" FROM "{table}"'):
            if value and any(n.lower() in str(value).lower() for n in needles):
                hits.append((table, column, value))
    for table, column in _date_columns():
        for (value,) in db.execute_sql(f'SELECT "{column}" FROM "{table}"'):
            if str(value)[:10] in needles:
                hits.append((table, column, value))
    return hits


def purge(app):
    """`flask purge`, as cron runs it."""
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_erasure_and_purge_leave_no_personal_data_in_any_table_or_file(app, login_as):
    app.config["ERASURE_DELAY_DAYS"] = 0
    with app.app_context(), db.connection_context():
        seeded = seed_family(app)
        assert not [p for p in Pupil.select() if p.birth_date in BIRTHS.values()
                    and p.id not in seeded["pupils"]], "test birth dates must be unique"
    nadia = login_as(TWO_GROUP_PARENT)
    teacher = login_as(TEACHER)
    root = Path(app.config["MEDIA_ROOT"])
    assert all(any(root.rglob(name)) for name in seeded["files"])
    with app.app_context(), db.connection_context():
        erasure.schedule(User.get_by_id(seeded["accounts"][0]), "request", school_today())
    assert nadia.get("/").status_code == 302  # logged out at once

    output = purge(app)
    assert "Retention erasures: removed 1." in output

    with app.app_context(), db.connection_context():
        assert find_anywhere(SECRETS + [TWO_GROUP_PARENT, CO_PARENT]) == []
        assert Pupil.select().where(Pupil.id.in_(seeded["pupils"])).count() == 0
        accounts = list(User.select().where(User.id.in_(seeded["accounts"])))
        assert {a.email for a in accounts} == {f"erased-{i}@invalid" for i in seeded["accounts"]}
        assert all(a.erased_at and not a.active and a.password_hash is None for a in accounts)
        assert Erasure.get().status == DONE
        # What must keep its shape is still there; the rest of the school is untouched.
        assert Comment.get_by_id(seeded["comment"]).body == erasure.ERASED_TEXT
        assert Photo.get_by_id(seeded["untouched"].id)
        assert MeetingSlot.get_by_id(seeded["slot"]).status == "free"
        assert HelpCall.get_by_id(seeded["call"]).taken == 1
        assert Conversation.get_or_none(Conversation.id == seeded["about"]) is None
        assert [m.body for m in Message.select().where(Message.conversation == seeded["general"])
                .order_by(Message.id)] == [erasure.ERASED_TEXT, "Dank je wel"]
        assert [e.details for e in AuditEntry.select().where(AuditEntry.action == "erasure")]
    left_on_disk = [p.name for p in root.rglob("*") if p.is_file()]
    assert [n for n in seeded["files"] if n in left_on_disk] == []
    assert set(seeded["untouched"].file_names()) <= set(left_on_disk)

    page = teacher.get(f"/posts/{seeded['post']}").get_data(as_text=True)
    assert "verwijderde gebruiker" in page and "Fijn om te horen" in page
    thread = teacher.get(f"/conversations/{seeded['general']}").get_data(as_text=True)
    assert "verwijderde gebruiker" in thread and "Dank je wel" in thread
    assert login(app.test_client(), TWO_GROUP_PARENT).status_code != 302


def test_nothing_is_removed_before_the_day_and_cancel_restores_access(app, login_as):
    with app.app_context(), db.connection_context():
        nadia = User.by_email(TWO_GROUP_PARENT)
        scheduled = erasure.schedule(nadia, "request", school_today())
        assert scheduled.due_on == school_today() + timedelta(days=30)
        with pytest.raises(erasure.ErasureError):
            erasure.schedule(nadia, "request", school_today())
    assert login(app.test_client(), TWO_GROUP_PARENT).status_code != 302
    assert "removed 0" in purge(app)
    with app.app_context(), db.connection_context():
        assert Pupil.select().where(Pupil.pupil_number == "RB-1003").count() == 1
        erasure.cancel(scheduled)
        with pytest.raises(erasure.ErasureError):
            erasure.cancel(scheduled)
    assert login_as(TWO_GROUP_PARENT).get("/").status_code == 200


def test_a_guardian_with_another_child_keeps_the_account(app, db_ctx):
    nadia, bakker = User.by_email(TWO_GROUP_PARENT), User.by_email(OTHER_PARENT)
    Guardianship.create(guardian=bakker, pupil=Pupil.get(Pupil.pupil_number == "RB-1003"))
    sessions.start(bakker)
    family = erasure.family_of(nadia)
    assert [u.email for u in family.guardians] == [TWO_GROUP_PARENT]
    assert [u.email for u in family.kept] == [OTHER_PARENT]
    erasure.schedule(nadia, "request", school_today())
    assert User.by_email(OTHER_PARENT).active
    assert AuthSession.select().where(AuthSession.user == bakker).count() == 1


def test_families_who_left_long_ago_are_scheduled_once(app, db_ctx):
    today = school_today()
    long_ago = today - timedelta(days=400)
    Pupil.update(left_on=long_ago).where(Pupil.pupil_number.in_(["RB-1003", "RB-1004"])).execute()
    Pupil.update(left_on=today - timedelta(days=10)).where(
        Pupil.pupil_number == "RB-1002").execute()  # left recently: kept for now
    assert erasure.leaver_families(today) == [[User.by_email(TWO_GROUP_PARENT).id]]
    assert erasure.LeaverRule.purge(today) == 1
    found = Erasure.get()
    assert found.reason == "left_school" and not User.by_email(TWO_GROUP_PARENT).active
    assert erasure.LeaverRule.purge(today) == 0
    erasure.cancel(found)
    assert erasure.leaver_families(today) == []  # an admin's "no" is not overruled


def test_every_reference_to_a_pupil_is_removed_by_the_database(app):
    """A new table must not block deleting a child: its link cascades or empties."""
    from schoolportal.schema import MODELS

    blocking = [f"{m.__name__}.{f.name}" for m in MODELS for f in m._meta.refs
                if f.rel_model is Pupil and f.on_delete not in ("CASCADE", "SET NULL")]
    assert blocking == []


def test_scheduling_is_recorded_with_ids_only(app, db_ctx):
    nadia = User.by_email(TWO_GROUP_PARENT)
    scheduled = erasure.schedule(nadia, "left_school", school_today())
    entry = AuditEntry.get(AuditEntry.action == "erasure")
    assert entry.subject_id == scheduled.id and "Mansouri" not in entry.details
    assert '"step": "scheduled"' in entry.details


def test_admin_confirms_then_erases_and_can_cancel_before_the_day(app, admin, login_as):
    nadia_client = login_as(TWO_GROUP_PARENT)
    with app.app_context(), db.connection_context():
        nadia = User.by_email(TWO_GROUP_PARENT)
    page = admin.get(f"/admin/families/{nadia.id}/erase")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Yasmin El Mansouri" in html
    token = csrf_token_from(html)
    refused = admin.post(f"/admin/families/{nadia.id}/erase", data={"csrf_token": token})
    assert refused.status_code == 422 and "field__error" in refused.get_data(as_text=True)
    with app.app_context(), db.connection_context():
        assert Erasure.select().count() == 0 and User.by_email(TWO_GROUP_PARENT).active
    done = admin.post(f"/admin/families/{nadia.id}/erase",
                      data={"csrf_token": token, "reason": "request"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/families")
    assert nadia_client.get("/").status_code == 302
    again = admin.post(f"/admin/families/{nadia.id}/erase",
                       data={"csrf_token": token, "reason": "request"})
    assert again.status_code == 409
    listing = admin.get("/admin/families").get_data(as_text=True)
    assert "Nadia El Mansouri" in listing
    with app.app_context(), db.connection_context():
        waiting = Erasure.get()
    cancelled = admin.post(f"/admin/erasures/{waiting.id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 302
    assert admin.post(f"/admin/erasures/{waiting.id}/cancel",
                      data={"csrf_token": token}).status_code == 409
    assert login_as(TWO_GROUP_PARENT).get("/").status_code == 200


def test_only_admins_erase(app, other_parent, teacher):
    with app.app_context(), db.connection_context():
        nadia = User.by_email(TWO_GROUP_PARENT)
    for client in (other_parent, teacher):
        assert client.get(f"/admin/families/{nadia.id}/erase").status_code == 403
        token = csrf_token_from(client.get("/account").get_data(as_text=True))
        assert client.post(f"/admin/families/{nadia.id}/erase",
                           data={"csrf_token": token, "reason": "request"}).status_code == 403
    with app.app_context(), db.connection_context():
        assert Erasure.select().count() == 0 and User.by_email(TWO_GROUP_PARENT).active
