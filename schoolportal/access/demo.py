"""The demo school's access requests: three waiting for the office and one rejected."""

from datetime import date

from schoolportal.access.models import AccessRequest
from schoolportal.admin.demo import DIRECTOR
from schoolportal.core.models import Pupil, User, utcnow

ACCESS_REQUESTS = [
    # (child first, last, birth date of pupil number or None, requester, email, relation, note)
    ("Sem", "Jansen", "RB-1001", "Peter Jansen", "peter.jansen@example.org", "parent",
     "Ik ben de vader van Sem; wij wonen apart."),
    ("Lotte", "Bakkers", "RB-1002", "Sanne de Wit", "sanne.dewit@example.org", "carer", ""),
    ("Mila", "Vos", None, "Joost Vos", "joost.vos@example.org", "parent",
     "Mila start na de zomer."),
]


def seed(today):
    """Three requests waiting (one matches Sem Jansen, one has a misspelt name, one no pupil).

    And one that was rejected.
    """
    if AccessRequest.select().exists():
        return
    director = User.get(User.email == DIRECTOR)
    births = {p.pupil_number: p.birth_date for p in Pupil.select().where(
        Pupil.pupil_number.in_([r[2] for r in ACCESS_REQUESTS if r[2]]))}
    rows = [{
        "child_first_name": first, "child_last_name": last,
        "child_birth_date": births.get(number) or date(today.year - 4, 3, 14),
        "requester_name": name, "email": email, "relation": relation, "note": note,
        "declared_authority": True, "ip": "192.0.2.10",
    } for first, last, number, name, email, relation, note in ACCESS_REQUESTS]
    rejected = {
        "child_first_name": "Daan", "child_last_name": "Vermeulen",
        "child_birth_date": date(today.year - 7, 5, 2), "requester_name": "R. Vermeulen",
        "email": "r.vermeulen@example.org", "relation": "parent", "note": "",
        "declared_authority": True, "ip": "192.0.2.11", "status": "rejected",
        "decided_by": director.id, "decided_at": utcnow(),
        "reason": "Wij kennen geen leerling met deze naam.",
    }
    AccessRequest.insert_many(rows).execute()
    AccessRequest.create(**rejected)  # other columns than the rows above
