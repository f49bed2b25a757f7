"""The slips' demo content: a trip slip for Groep 1/2A under a post, partly answered, and a
school-wide post with a read request, partly confirmed. Seeded once (by title)."""

import json
from datetime import timedelta

from schoolportal.admin import demo as admin_demo
from schoolportal.core import richtext
from schoolportal.core.models import Group, GroupStaff, Guardianship, Pupil, User, utcnow
from schoolportal.feed.models import Post
from schoolportal.slips import building
from schoolportal.slips.models import (
    CHOICE,
    TEXT,
    YES_NO,
    ReadConfirmation,
    ReadRequest,
    Slip,
    SlipAnswer,
    SlipAnswerHistory,
)

TRIP = "Uitje naar de kinderboerderij"
TRIP_BODY = ("Volgende week gaan we met de groep naar **kinderboerderij De Hooiberg**. We "
             "vertrekken om 9:00 en zijn rond 12:00 terug.\n\nVul per kind het formulier in: "
             "mag je kind mee, zijn er allergieën en kun je rijden?")
QUESTIONS = [
    (YES_NO, "Mag uw kind mee naar de kinderboerderij?", [], True),
    (TEXT, "Allergieën of iets anders dat we moeten weten", [], False),
    (CHOICE, "Kunt u rijden?", ["Ja, heen en terug", "Alleen heen", "Alleen terug", "Nee"],
     True),
]
ANSWERS = [
    ("yes", "", "Nee"), ("yes", "Hooikoorts", "Ja, heen en terug"), ("yes", "", "Alleen heen"),
    ("no", "", "Nee"), ("yes", "Notenallergie", "Nee"), ("yes", "", "Alleen terug"),
]
DEMO_ACCOUNTS = {email for guardians, _kids in admin_demo.DEMO_FAMILIES
                 for email, _name in guardians}
READ_POST = "Nieuwe ophaalregels bij het hek"
READ_BODY = ("Vanaf maandag gaat het hek aan de Lindelaan om **8:15** open en om 8:30 dicht. "
             "Kinderen uit groep 1/2 worden in de klas gebracht; de andere groepen nemen "
             "afscheid bij het hek.\n\nWilt u laten weten dat u dit gelezen hebt?")


def seed(today):
    """Add the trip slip and the post with a read request, unless they are there."""
    group = Group.select().where(Group.name == "Groep 1/2A").order_by(
        Group.school_year.desc()).first()
    if group is None or Slip.select().where(Slip.title == TRIP).exists():
        return
    teacher = (User.select().join(GroupStaff, on=GroupStaff.staff)
               .where(GroupStaff.group == group).first())
    now = utcnow()
    post = Post.create(author=teacher, group=group, kind="message", title=TRIP, body=TRIP_BODY,
                       body_html=richtext.to_html(TRIP_BODY), published_at=now - timedelta(days=1),
                       notified_at=now, digested_at=now, created_at=now - timedelta(days=1))
    slip = building.create(teacher, group, TRIP, "Graag per kind invullen.",
                           today + timedelta(days=6), 2, QUESTIONS, post=post)
    questions = [q.id for q in sorted(slip.questions, key=lambda q: q.position)]
    answered = set()
    for parent, child in _generated_families(group):
        if child.id in answered or len(answered) >= len(ANSWERS):
            continue
        values = ANSWERS[len(answered)]
        answered.add(child.id)
        payload = json.dumps({str(q): v for q, v in zip(questions, values, strict=True) if v},
                             ensure_ascii=False)
        when = now - timedelta(hours=len(answered) * 5)
        SlipAnswer.create(slip=slip, pupil=child, answered_by=parent, answered_at=when,
                          version=1, answer_json=payload)
        SlipAnswerHistory.create(slip=slip, pupil=child, version=1, answered_by=parent,
                                 answered_at=when, answer_json=payload)
    _read_request(teacher, group, now)


def _read_request(teacher, group, now):
    """A group post that asks for "gelezen en begrepen", confirmed by some parents."""
    body_html = richtext.to_html(READ_BODY)
    post = Post.create(author=teacher, group=group, kind="message", title=READ_POST,
                       body=READ_BODY, body_html=body_html, published_at=now - timedelta(hours=3),
                       notified_at=now, digested_at=now, created_at=now - timedelta(hours=3))
    ReadRequest.create(post=post, requested_by=teacher, requested_at=now - timedelta(hours=3))
    parents = list({parent.id: parent for parent, _child in _generated_families(group)}
                   .values())[:5]
    ReadConfirmation.insert_many([{"post": post.id, "account": parent.id,
                                   "confirmed_at": now - timedelta(hours=2)}
                                  for parent in parents]).execute()


def _generated_families(group):
    """(parent, child) of the group's generated families whose parent can log in (not the
    demo accounts, so ouder.jansen still has the slip to fill in)."""
    links = (Guardianship.select(Guardianship, User, Pupil).join(User).switch(Guardianship)
             .join(Pupil).where((Pupil.group == group) & User.password_hash.is_null(False)
                                & User.email.not_in(list(DEMO_ACCOUNTS)))
             .order_by(Pupil.first_name, User.email))
    return [(link.guardian, link.pupil) for link in links]
