"""The demo school "OBS De Regenboog": groups, pupils, staff and parents."""

import random
from datetime import date, timedelta

from schoolportal.auth.passwords import hash_password
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    Group,
    GroupStaff,
    Guardianship,
    Pupil,
    School,
    User,
    school_year_of,
)

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 (documented demo password)
DIRECTOR = "directie@example.org"
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


def seed(today):
    """The school, its groups, staff, families and pupils; returns (groups, users) by name."""
    year = school_year_of(today)
    start_year = int(year[:4])
    password_hash = hash_password(DEMO_PASSWORD)
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
    return groups, users
