"""The demo school "OBS De Regenboog": groups, pupils, staff and parents.

Idempotent: every row has a natural key and is inserted with ON CONFLICT DO NOTHING, so a
second run adds nothing. The demo accounts in DEVELOPERS.md are a contract for tests.
"""

import random
from datetime import date, timedelta

from . import hooks
from .database import write_transaction
from .models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    Group,
    GroupStaff,
    Guardianship,
    Pupil,
    School,
    User,
)
from .passwords import hash_password

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 (documented demo password)
SCHOOL_NAME = "OBS De Regenboog"

# (name, sort order, birth years relative to the school year's start, teacher email)
GROUPS = [
    ("Groep 1/2A", 1, (4, 6), "juf.sanne@example.org"),
    ("Groep 5", 5, (8, 9), "meester.ahmed@example.org"),
    ("Groep 8", 8, (11, 12), "juf.marloes@example.org"),
]
STAFF = [
    ("directie@example.org", "Marieke Hoekstra (directie)", ROLE_ADMIN),
    ("administratie@example.org", "Karin Smit (administratie)", ROLE_ADMIN),
    ("juf.sanne@example.org", "juf Sanne", ROLE_STAFF),
    ("meester.ahmed@example.org", "meester Ahmed", ROLE_STAFF),
    ("juf.marloes@example.org", "juf Marloes", ROLE_STAFF),
]
# A family: ([(guardian email, name)], [(first, last, group, pupil number)]).
DEMO_FAMILIES = [
    ([("ouder.jansen@example.org", "Eva Jansen")],
     [("Sem", "Jansen", "Groep 1/2A", "RB-1001")]),
    ([("ouder.bakker@example.org", "Mark Bakker")],
     [("Lotte", "Bakker", "Groep 5", "RB-1002")]),
    ([("ouder.elmansouri@example.org", "Nadia El Mansouri")],
     [("Yasmin", "El Mansouri", "Groep 1/2A", "RB-1003"),
      ("Adam", "El Mansouri", "Groep 5", "RB-1004")]),
]
FIRST_NAMES = [
    "Emma", "Noah", "Julia", "Liam", "Mila", "Luca", "Tess", "Finn", "Sara", "Daan",
    "Zoë", "Levi", "Nora", "Mees", "Fleur", "Bram", "Lina", "Jesse", "Isa", "Milan",
    "Sophie", "Thijs", "Anna", "Ravi", "Lieke", "Ayoub", "Fenna", "Mohammed", "Roos",
    "Jayden", "Evi", "Sven", "Hanna", "Mats", "Ilse", "Oscar", "Femke", "Kian", "Noor",
    "Siem", "Elif", "Ruben", "Sanne", "Yusuf", "Lotte", "Jurre", "Amira", "Gijs",
]
LAST_NAMES = [
    "de Jong", "de Vries", "van den Berg", "van Dijk", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
    "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yilmaz", "Kaya", "Pinas", "Nguyen",
    "Janssen", "van der Meer", "Koster", "Prins", "Huisman", "Kramer", "Postma",
]
PUPILS_PER_GROUP = 20


def school_year_of(day):
    """The school year ("2026-2027") a day falls in; a year starts in August."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def seed(today=None, examples=True):
    """Create the demo school; returns a one-line summary.

    `examples` adds the onboarding examples (open invitations with their mails, access
    requests, a pupil who left, a failed mail); the test suite starts without them so each
    test sees only the mail and requests it makes itself.
    """
    today = today or date.today()
    year = school_year_of(today)
    start_year = int(year[:4])
    password_hash = hash_password(DEMO_PASSWORD)
    with write_transaction():
        if School.current() is None:
            School.create(name=SCHOOL_NAME)
        _insert_ignore(Group, [
            {"name": name, "school_year": year, "sort_order": order}
            for name, order, _ages, _teacher in GROUPS
        ])
        groups = {g.name: g for g in Group.select().where(Group.school_year == year)}
        families = DEMO_FAMILIES + _generated_families(start_year)
        accounts = [
            {"email": e, "display_name": n, "role": r, "password_hash": password_hash}
            for e, n, r in STAFF
        ] + _parent_accounts(families, password_hash)
        _insert_ignore(User, accounts)
        users = {u.email: u for u in User.select().where(
            User.email.in_([a["email"] for a in accounts]))}
        _insert_ignore(Pupil, _pupil_rows(families, groups, start_year, today))
        numbered = Pupil.select().where(Pupil.pupil_number.is_null(False))
        pupils = {p.pupil_number: p for p in numbered}
        _insert_ignore(Guardianship, [
            {"guardian": users[email].id, "pupil": pupils[number].id}
            for emails, children in _family_links(families)
            for email in emails for number in children
        ])
        _insert_ignore(GroupStaff, [
            {"staff": users[teacher].id, "group": groups[name].id}
            for name, _order, _ages, teacher in GROUPS
        ])
    if examples:
        with write_transaction():
            _seed_onboarding(users["directie@example.org"], today)
        for add_examples in hooks.DEMO_EXAMPLES:  # each feature's own demo content
            with write_transaction():
                add_examples(today)
    return (f"{SCHOOL_NAME}, {len(groups)} groups, {Pupil.select().count()} pupils, "
            f"{User.select().count()} accounts")


def _insert_ignore(model, rows):
    """Insert rows, skipping those whose unique key already exists."""
    if rows:
        model.insert_many(rows).on_conflict_ignore().execute()


def _generated_families(start_year):
    """Believable classmates with one or two guardians; some have not activated yet."""
    rng = random.Random(start_year)  # noqa: S311 (demo data, not security)
    families, number = [], 2000
    for group_name, _order, _ages, _teacher in GROUPS:
        taken = sum(1 for _g, kids in DEMO_FAMILIES for kid in kids if kid[2] == group_name)
        for _ in range(PUPILS_PER_GROUP - taken):
            number += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            slug = last.replace(" ", "").lower()
            guardians = [(f"ouder{number}.{slug}@example.org", f"{rng.choice(FIRST_NAMES)} {last}")]
            if rng.random() < 0.4:  # a second guardian with an account of their own
                guardians.append((f"ouder{number}b.{slug}@example.org",
                                  f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"))
            families.append((guardians, [(first, last, group_name, f"RB-{number}")]))
    return families


def _parent_accounts(families, password_hash):
    """One account per guardian; every fourth generated family has not activated yet."""
    rows = []
    for index, (guardians, _children) in enumerate(families):
        activated = index < len(DEMO_FAMILIES) or index % 4 != 0
        rows += [{"email": email, "display_name": name, "role": ROLE_PARENT,
                  "password_hash": password_hash if activated else None}
                 for email, name in guardians]
    return rows


def _family_links(families):
    """Per family: the guardians' emails and the children's pupil numbers."""
    return [([e for e, _n in guardians], [c[3] for c in children])
            for guardians, children in families]


def _pupil_rows(families, groups, start_year, today):
    """Pupil rows with birth dates that fit their group (and are at least 4 today)."""
    rng = random.Random(start_year + 1)  # noqa: S311 (demo data, not security)
    ages = {name: age_range for name, _o, age_range, _t in GROUPS}
    rows = []
    for _guardians, children in families:
        for first, last, group_name, number in children:
            low, high = ages[group_name]
            earliest = date(start_year - high - 1, 9, 1)
            four_today = date(today.year - 4, today.month, min(today.day, 28))
            latest = min(date(start_year - low, 8, 31), four_today)
            rows.append({
                "first_name": first, "last_name": last, "pupil_number": number,
                "group": groups[group_name].id,
                "birth_date": earliest + timedelta(days=rng.randint(0, (latest - earliest).days)),
            })
    return rows


# --- Onboarding: open invitations, access requests, a leaver, a mail that failed ---------

LEAVER = ("RB-2050", date(2026, 10, 30))  # a Groep 8 pupil who moved away
ACCESS_REQUESTS = [
    # (child first, last, birth date of pupil number or None, requester, email, relation, note)
    ("Sem", "Jansen", "RB-1001", "Peter Jansen", "peter.jansen@example.org", "parent",
     "Ik ben de vader van Sem; wij wonen apart."),
    ("Lotte", "Bakkers", "RB-1002", "Sanne de Wit", "sanne.dewit@example.org", "carer", ""),
    ("Mila", "Vos", None, "Joost Vos", "joost.vos@example.org", "parent",
     "Mila start na de zomer."),
]


def _seed_onboarding(director, today):
    """Invitations for the families that have not activated, requests, a leaver, a dead mail."""
    from .invitations import invite_many
    from .models import Invitation, OutboxMail
    from .models.access import AccessRequest
    from .models.mail import MAIL_DEAD

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
    if AccessRequest.select().count() == 0:
        _seed_access_requests(director, today)
    if not OutboxMail.select().where(OutboxMail.status == MAIL_DEAD).exists():
        OutboxMail.create(
            to_email="oud.adres@example.org", template="child_linked", language="nl",
            subject="Yusuf is aan je account gekoppeld", body_text="(demo)", body_html="(demo)",
            status=MAIL_DEAD, attempts=8,
            last_error="(550, b'5.1.1 <oud.adres@example.org>: Recipient address rejected')",
        )


def _seed_access_requests(director, today):
    """Three requests waiting for the office, and one that was rejected."""
    from .models import utcnow
    from .models.access import AccessRequest

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
