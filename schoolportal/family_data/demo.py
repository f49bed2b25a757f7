"""The demo school's family data: one erasure scheduled for a family that asked."""

from schoolportal.core.models import Guardianship, Pupil, User
from schoolportal.family_data import erasure
from schoolportal.family_data.models import REASON_LEFT, Erasure
from schoolportal.onboarding.demo import LEAVER


def seed(today):
    """The family of the Groep 8 pupil who moved away waits to be erased (admins may cancel)."""
    if Erasure.select().exists():
        return  # seeded before (or the school erased families itself)
    guardian = (User.select().join(Guardianship).join(Pupil)
                .where(Pupil.pupil_number == LEAVER[0]).order_by(User.id).first())
    if guardian is not None:
        erasure.schedule(guardian, REASON_LEFT, today)
