"""Shared makers for the slips tests: a slip of Groep 1/2A, Sem and a second guardian."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from schoolportal.auth.passwords import hash_password
from schoolportal.core.clock import school_today
from schoolportal.core.models import ROLE_PARENT, Group, Guardianship, Pupil, User
from schoolportal.slips import building
from schoolportal.slips.models import CHOICE, TEXT, YES_NO
from tests.support.web import PARENT, TEACHER

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
QUESTIONS = [
    (YES_NO, "Mag je kind mee naar de kinderboerderij?", [], True),
    (TEXT, "Allergieën", [], False),
    (CHOICE, "Kunt u rijden?", ["Ja", "Nee"], True),
]


def local(*parts):
    """A moment at the school, as an aware datetime (for time-machine)."""
    return datetime(*parts, tzinfo=AMSTERDAM)


def group_1_2a():
    """Groep 1/2A of this school year."""
    return Group.select().where(Group.name == "Groep 1/2A").order_by(
        Group.school_year.desc()).get()


def sem():
    """ouder.jansen's child in Groep 1/2A."""
    return (Pupil.select().join(Guardianship).join(User)
            .where(User.email == PARENT).get())


def make_slip(deadline=None, remind=2, title="Kinderboerderij", post=None):
    """A slip for Groep 1/2A by juf Sanne with a yes/no, a text and a choice question."""
    return building.create(User.by_email(TEACHER), group_1_2a(), title, "Uitleg",
                           deadline or school_today() + timedelta(days=7), remind, QUESTIONS,
                           post=post)


def second_guardian(pupil, email="vader.jansen@example.org"):
    """A second, activated guardian for the pupil (separated parents: their own account)."""
    father = User.create(email=email, display_name="Tom Jansen", role=ROLE_PARENT,
                         password_hash=hash_password("demo-wachtwoord"))
    Guardianship.create(guardian=father, pupil=pupil)
    return father


def answer_values(slip, allowed="yes", text="", drive="Ja"):
    """A complete answer: {question id: value}."""
    yes_no, free, choice = sorted(slip.questions, key=lambda q: q.position)
    values = {str(yes_no.id): allowed, str(choice.id): drive}
    if text:
        values[str(free.id)] = text
    return values
