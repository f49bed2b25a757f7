"""The demo school's onboarding: open invitations with their mails, a leaver, a failed mail."""

from datetime import date

from schoolportal.admin.demo import DIRECTOR
from schoolportal.core.models import MAIL_DEAD, Guardianship, OutboxMail, Pupil, School, User
from schoolportal.invitations.models import Invitation
from schoolportal.invitations.service import invite_many

LEAVER = ("RB-2050", date(2026, 10, 30))  # a Groep 8 pupil who moved away


def seed(today):
    """Invitations for the families that have not activated, a leaver, a dead mail."""
    director = User.get(User.email == DIRECTOR)

    uninvited = (
        Guardianship.select(Guardianship, User, Pupil)
        .join(User).switch(Guardianship).join(Pupil)
        .where(User.password_hash.is_null()
               & ~User.id.in_(Invitation.select(Invitation.user)))
    )
    pairs = {row.guardian.id: (row.guardian, row.pupil) for row in uninvited}
    invite_many(list(pairs.values()), director, School.current())
    Pupil.update(left_on=LEAVER[1]).where(
        (Pupil.pupil_number == LEAVER[0]) & Pupil.left_on.is_null()).execute()
    if not OutboxMail.select().where(OutboxMail.status == MAIL_DEAD).exists():
        OutboxMail.create(
            to_email="oud.adres@example.org", template="invitations/child_linked", language="nl",
            subject="Yusuf is aan je account gekoppeld", body_text="(demo)", body_html="(demo)",
            status=MAIL_DEAD, attempts=8,
            last_error="(550, b'5.1.1 <oud.adres@example.org>: Recipient address rejected')",
        )
