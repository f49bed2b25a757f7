"""The demo school's photo consent: varied choices with their history, a few recent withdrawals.

Most children may be in the group's closed album, fewer in school-wide albums, on the
website, social media or in the paper; some parents said no, some have not chosen yet. Sem
Jansen (ouder.jansen's child) has consent for the group album. Seeding again adds nothing:
it stops when the demo pupils have choices already.
"""

import random
from datetime import timedelta

from schoolportal.consent import service
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.core.models import Guardianship, Pupil, utcnow

# Per category key: (chance of yes, chance of an explicit no); the rest has not chosen.
CHANCES = {"portal_group": (0.85, 0.05), "portal_school": (0.6, 0.1), "website": (0.4, 0.2),
           "social_media": (0.25, 0.3), "newsletter": (0.6, 0.1), "press": (0.2, 0.25)}
SEM = "RB-1001"
WITHDRAWALS = 4  # children whose parents took back a yes in the last days


def seed(today):
    """Choices for every demo pupil at school, each with the change that made it."""
    service.install_default_categories()
    categories = {c.key: c for c in ConsentCategory.select().where(
        ConsentCategory.key.in_(list(CHANCES)))}
    pupils = list(Pupil.select().where(Pupil.at_school()).order_by(Pupil.id))
    if len(categories) < len(CHANCES) or not pupils or Consent.select().where(
            Consent.pupil.in_([p.id for p in pupils])).exists():
        return
    guardians = {}
    for link in Guardianship.select().order_by(Guardianship.id):
        guardians.setdefault(link.pupil_id, link.guardian_id)
    rng, now = random.Random(2026), utcnow()
    choices, changes = [], []
    for pupil in pupils:
        by = guardians.get(pupil.id)
        chosen_at = now - timedelta(days=rng.randint(20, 120), minutes=rng.randint(0, 600))
        for key, (yes, no) in CHANCES.items():
            roll = rng.random()
            granted = True if roll < yes else False if roll < yes + no else None
            if pupil.pupil_number == SEM and key == "portal_group":
                granted = True
            if granted is None:
                continue
            choices.append({"pupil": pupil.id, "category": categories[key].id,
                            "granted": granted, "updated_by": by, "updated_at": chosen_at})
            changes.append({"pupil": pupil.id, "category": categories[key].id,
                            "old_value": None, "new_value": granted, "changed_by": by,
                            "changed_at": chosen_at})
    sem = next((p.id for p in pupils if p.pupil_number == SEM), None)
    _withdraw_some(rng, choices, changes, categories, now, keep=sem)
    Consent.insert_many(choices).on_conflict_ignore().execute()
    ConsentChange.insert_many(changes).execute()


def _withdraw_some(rng, choices, changes, categories, now, keep):
    """Turn a few yeses into recent withdrawals (a second history row: yes -> no)."""
    candidates = [c for c in choices if c["granted"] and c["category"] in (
        categories["portal_group"].id, categories["website"].id)]
    candidates = [c for c in candidates if c["pupil"] != keep]
    for choice in rng.sample(candidates, min(WITHDRAWALS, len(candidates))):
        at = now - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 10))
        choice.update(granted=False, updated_at=at)
        changes.append({"pupil": choice["pupil"], "category": choice["category"],
                        "old_value": True, "new_value": False,
                        "changed_by": choice["updated_by"], "changed_at": at})
