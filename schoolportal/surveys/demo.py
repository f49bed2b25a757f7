"""Demo content: one survey and one call for help per demo group, with answers and sign-ups.

Idempotent: a survey or call whose title exists already is left alone. The three demo
families with documented accounts do not answer, so they find something to do.
"""

import random
from datetime import datetime, time, timedelta

from schoolportal.admin import demo as admin_demo
from schoolportal.core.models import Group, Guardianship, Pupil, User, school_year_of, utcnow
from schoolportal.surveys import answers, calls
from schoolportal.surveys.forms import to_utc
from schoolportal.surveys.models import (
    MULTIPLE,
    NUMBER,
    PER_CHILD,
    PER_FAMILY,
    SINGLE,
    TEXT,
    YES_NO,
    HelpCall,
    Survey,
    SurveyGroup,
    SurveyOption,
    SurveyQuestion,
)

# group: (title, explanation, anonymous, per, days open, [(kind, text, required, options)])
SURVEYS = {
    "Groep 1/2A": ("Excursie naar de kinderboerderij",
                   "Op de excursie gaan we met de hele groep naar kinderboerderij De Hooiberg.",
                   False, PER_CHILD, 10, [
                       (YES_NO, "Mag je kind mee op excursie?", True, []),
                       (SINGLE, "Hoe komt je kind die ochtend naar school?", True,
                        ["Lopend", "Op de fiets", "Met de auto"]),
                       (TEXT, "Allergieën of andere bijzonderheden?", False, []),
                   ]),
    "Groep 5": ("Hoe tevreden ben je over de weekbrief?",
                "Deze enquête is anoniem: niemand kan zien wie wat heeft geantwoord.",
                True, PER_FAMILY, 1, [
                    (SINGLE, "Hoe tevreden ben je over de weekbrief?", True,
                     ["Zeer tevreden", "Tevreden", "Neutraal", "Ontevreden"]),
                    (MULTIPLE, "Waarover wil je vaker lezen?", False,
                     ["Foto's uit de klas", "Huiswerk", "Activiteiten", "Wat we leren"]),
                    (TEXT, "Tips voor meester Ahmed", False, []),
                ]),
    "Groep 8": ("Musical: welke avond kom je kijken?", "", False, PER_FAMILY, 14, [
        (SINGLE, "Welke avond kom je?", True, ["Dinsdagavond", "Donderdagavond"]),
        (NUMBER, "Met hoeveel personen kom je?", True, []),
    ]),
}
# group: (title, explanation, days from today, places, sign-ups)
CALLS = {
    "Groep 1/2A": ("4 begeleiders nodig voor de excursie naar de kinderboerderij",
                   "We vertrekken om 9.00 uur en zijn rond 12.00 uur terug.", 12, 4, 2),
    "Groep 5": ("2 rijders voor het schaaktoernooi", "Wie rijdt mee naar Utrecht?", 5, 2, 2),
    "Groep 8": ("Hulp bij het decor van de musical", "Zagen, schilderen en plakken.", 20, 6, 3),
}
TEXTS = {
    "Allergieën of andere bijzonderheden?": ["Notenallergie", "Wordt snel wagenziek",
                                             "Neemt eigen lunch mee"],
    "Tips voor meester Ahmed": ["Graag meer foto's!", "Fijn dat de brief op vrijdag komt.",
                                "Liever wat korter."],
}
DEMO_ACCOUNTS = {email for guardians, _kids in admin_demo.DEMO_FAMILIES
                 for email, _name in guardians}


def seed(today):
    """Add the demo surveys (published, with answers) and calls (with sign-ups)."""
    year = school_year_of(today)
    groups = {g.name: g for g in Group.select().where(Group.school_year == year)}
    teachers = {name: User.by_email(email) for name, _o, _a, email in admin_demo.GROUPS}
    for name, group in groups.items():
        parents = _activated_parents(group)
        if name in SURVEYS and not Survey.select().where(Survey.title == SURVEYS[name][0]).exists():
            _seed_survey(SURVEYS[name], group, teachers.get(name), parents, today)
        if name in CALLS and not HelpCall.select().where(HelpCall.title == CALLS[name][0]).exists():
            _seed_call(CALLS[name], group, teachers.get(name), parents, today)


def _activated_parents(group):
    """(parent, child) of the generated families of a group whose parent can log in."""
    links = (Guardianship.select(Guardianship, User, Pupil).join(User).switch(Guardianship)
             .join(Pupil).where((Pupil.group == group) & User.password_hash.is_null(False)
                                & User.email.not_in(list(DEMO_ACCOUNTS)))
             .order_by(User.email))
    return [(link.guardian, link.pupil) for link in links]


def _seed_survey(spec, group, teacher, parents, today):
    """A published survey with its questions, answered by about two in three."""
    title, description, anonymous, per, days, questions = spec
    closes = to_utc(datetime.combine(today + timedelta(days=days), time(20, 0)))
    survey = Survey.create(title=title, description=description, anonymous=anonymous, per=per,
                           closes_at=closes, published_at=utcnow() - timedelta(days=2),
                           created_by=teacher)
    SurveyGroup.create(survey=survey, group=group)
    for position, (kind, text, required, options) in enumerate(questions, 1):
        question = SurveyQuestion.create(survey=survey, kind=kind, text=text, required=required,
                                         position=position)
        for n, label in enumerate(options, 1):
            SurveyOption.create(question=question, position=n, label=label)
    rng = random.Random(title)  # noqa: S311 (demo data)
    answered = set()
    loaded = answers.questions_of(survey)
    for parent, child in parents:
        unit = answers.Unit(f"pupil:{child.id}", child) if per == PER_CHILD else \
            answers.Unit(f"account:{parent.id}")
        if unit.key in answered or rng.random() > 0.65:
            continue
        answered.add(unit.key)
        answers.submit(survey, parent, unit, _answers(loaded, rng))


def _answers(questions, rng):
    """Believable answers to the demo questions."""
    values = {}
    for question in questions:
        if question.kind == YES_NO:
            values[question.id] = rng.random() < 0.85
        elif question.kind == SINGLE:
            values[question.id] = [rng.choice(question.choices).id]
        elif question.kind == MULTIPLE:
            chosen = rng.sample(question.choices, rng.randint(1, len(question.choices)))
            values[question.id] = sorted(option.id for option in chosen)
        elif question.kind == NUMBER:
            values[question.id] = rng.randint(1, 4)
        elif rng.random() < 0.4:
            values[question.id] = rng.choice(TEXTS.get(question.text, ["Geen"]))
    return values


def _seed_call(spec, group, teacher, parents, today):
    """A call for help with some parents signed up already."""
    title, description, days, places, signups = spec
    call = HelpCall.create(title=title, description=description, group=group, places=places,
                           event_on=today + timedelta(days=days), created_by=teacher)
    helpers = list(dict.fromkeys(parent for parent, _child in parents))[:signups]
    for parent in helpers:
        calls.sign_up(call, parent, today)
