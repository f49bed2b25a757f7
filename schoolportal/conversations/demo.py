"""Demo content for conversations: a few conversations, office hours, directory choices.

Run by `flask seed-demo` (schoolportal.demo) inside a transaction.
Idempotent: office hours and directory choices have unique keys (inserted with ON
CONFLICT DO NOTHING); a conversation is added only when its starter has none with that
subject yet (seed-demo runs alone, so this check cannot race). No mail is queued: the
demo's people have "read" the mails about these old messages already.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schoolportal.conversations.models import (
    Conversation,
    ConversationMember,
    DirectoryEntry,
    Message,
    OfficeHours,
)
from schoolportal.core.models import ROLE_ADMIN, Pupil, User

SANNE, AHMED = "juf.sanne@example.org", "meester.ahmed@example.org"
OFFICE = "administratie@example.org"
JANSEN, BAKKER = "ouder.jansen@example.org", "ouder.bakker@example.org"
ELMANSOURI = "ouder.elmansouri@example.org"

# (staff email, weekday, from, until)
# Working hours: juf Sanne works part-time (not on Wednesday), meester Ahmed all week.
HOURS = [(SANNE, day, time(8, 0), time(15, 30)) for day in (0, 1, 3, 4)] + [
    (AHMED, day, time(8, 0), time(16, 0)) for day in range(5)]
# (parent email, show email, phone or "")
DIRECTORY = [(JANSEN, True, ""), (ELMANSOURI, False, "06 12345678")]

# (starter, other, pupil number, with office, subject, [(days ago, hour, author, text)],
#  who has read the last message)
CONVERSATIONS = [
    (JANSEN, SANNE, "RB-1001", False, "Sem en het zwemmen", [
        (3, "19:40", JANSEN, "Hoi juf Sanne, Sem vindt het schoolzwemmen op vrijdag spannend. "
                             "Mag ik er de eerste keer bij zijn?"),
        (2, "14:40", SANNE, "Dag Eva, wat goed dat je het laat weten. Je bent van harte "
                            "welkom vrijdag om 10.15 uur bij het zwembad."),
    ], [SANNE]),
    (ELMANSOURI, AHMED, "RB-1004", False, "Huiswerk Adam", [
        (1, "20:05", ELMANSOURI, "Goedenavond meester Ahmed, Adam weet niet welke sommen hij "
                                 "voor donderdag moet maken. Kunt u dat laten weten?"),
    ], [ELMANSOURI]),
    (OFFICE, BAKKER, "RB-1002", True, "Verlof Lotte", [
        (5, "09:10", OFFICE, "Beste meneer Bakker, uw verlofaanvraag voor Lotte is "
                             "ontvangen. De directie beslist deze week."),
        (4, "18:30", BAKKER, "Dank u wel voor het bericht."),
    ], [OFFICE, BAKKER]),
]


def seed(today):
    """Office hours for two teachers, two parents in the directory, three conversations."""
    emails = {SANNE, AHMED, OFFICE, JANSEN, BAKKER, ELMANSOURI}
    users = {user.email: user for user in User.select().where(User.email.in_(list(emails)))}
    if len(users) < len(emails):
        return  # not the demo school
    OfficeHours.insert_many([
        {"staff": users[email].id, "weekday": day, "starts_at": start, "ends_at": end}
        for email, day, start, end in HOURS]).on_conflict_ignore().execute()
    DirectoryEntry.insert_many([
        {"user": users[email].id, "show_in_directory": True, "show_email": show_email,
         "show_phone": bool(phone), "phone": phone}
        for email, show_email, phone in DIRECTORY]).on_conflict_ignore().execute()
    numbers = [c[2] for c in CONVERSATIONS]
    pupils = {p.pupil_number: p for p in Pupil.select().where(Pupil.pupil_number.in_(numbers))}
    for starter, other, number, office, subject, messages, readers in CONVERSATIONS:
        _conversation(today, users, users[starter], users[other], pupils.get(number), office,
                      subject, messages, [users[email] for email in readers])


def _conversation(today, users, starter, other, pupil, office, subject, messages, readers):
    """Add one conversation with its messages, unless the starter has it already."""
    if Conversation.select().where((Conversation.started_by == starter.id)
                                   & (Conversation.subject == subject)).exists():
        return
    first = _moment(today, *messages[0][:2])
    conversation = Conversation.create(subject=subject, pupil=pupil, with_office=office,
                                       started_by=starter.id, created_at=first,
                                       last_message_at=first)
    last = None
    for days_ago, clock, email, text in messages:
        last = Message.create(conversation=conversation.id, author=users[email].id, body=text,
                              created_at=_moment(today, days_ago, clock))
    Conversation.update(last_message_id=last.id, last_message_at=last.created_at).where(
        Conversation.id == conversation.id).execute()
    members = {starter.id: starter, other.id: other}
    if office:  # the whole office takes part
        members.update({admin.id: admin for admin in User.select().where(
            User.role == ROLE_ADMIN)})
    ConversationMember.insert_many([
        {"conversation": conversation.id, "user": user.id, "created_at": first,
         "last_read_message_id": last.id if user in readers else 0,
         "notified_message_id": last.id}
        for user in members.values()]).execute()


def _moment(today, days_ago, clock):
    """A moment some days before today, at an Amsterdam clock time, as naive UTC."""
    hour, minute = (int(part) for part in clock.split(":"))
    local = datetime.combine(today - timedelta(days=days_ago), time(hour, minute),
                             ZoneInfo("Europe/Amsterdam"))
    return local.astimezone(UTC).replace(tzinfo=None)
