"""The demo school's year 2026-2027: holidays (regio midden), study days, celebrations, trips.

Each activity has a natural key (its import key), so seeding twice adds nothing twice.
"""

from datetime import date, time

from schoolportal.calendar import service
from schoolportal.calendar.models import Activity, ActivityGroup
from schoolportal.core.models import Group, User, utcnow

D, T = date, time
SCHOOL_YEAR = "2026-2027"


def _day(key, title, first, last=None, text="", groups=None):
    """An all-day activity (or a range of days) as a row of YEAR."""
    return (key, title, first, last, None, None, "", text, groups)


def _timed(key, title, first, start, end, place="", text="", groups=None, last=None):
    """An activity with times as a row of YEAR."""
    return (key, title, first, last, start, end, place, text, groups)


# (key, title, first day, last day, start, end, place, description, groups or None = school)
YEAR = [
    _timed("start", "Eerste schooldag", D(2026, 8, 24), T(8, 30), T(14, 0),
           text="Welkom terug! De deuren gaan om 8.20 uur open."),
    _timed("photo", "Schoolfotograaf", D(2026, 9, 22), T(8, 30), T(12, 0), "Speelzaal",
           "Broertjes en zusjes samen op de foto kan van 12.00 tot 12.30 uur."),
    _timed("books", "Opening Kinderboekenweek", D(2026, 9, 30), T(8, 30), T(9, 15), "Schoolplein"),
    _day("study1", "Studiedag: alle kinderen vrij", D(2026, 10, 2)),
    _day("autumn", "Herfstvakantie", D(2026, 10, 17), D(2026, 10, 25)),
    _day("study2", "Studiedag: alle kinderen vrij", D(2026, 11, 25)),
    _timed("sint", "Sinterklaasviering", D(2026, 12, 4), T(8, 30), T(12, 0), "Speelzaal",
           "Alle kinderen zijn om 12.00 uur uit."),
    _timed("xmas", "Kerstviering", D(2026, 12, 17), T(17, 30), T(19, 0), "In de eigen groep",
           "Neem een bord, beker en bestek mee."),
    _day("winter", "Kerstvakantie", D(2026, 12, 19), D(2027, 1, 3)),
    _timed("read", "Voorleesontbijt", D(2027, 1, 27), T(8, 30), T(9, 30), "Lokaal groep 1/2A",
           "Kom in je pyjama!", groups=["Groep 1/2A"]),
    _day("study3", "Studiedag: alle kinderen vrij", D(2027, 2, 8)),
    _day("report", "Eerste rapport mee naar huis", D(2027, 2, 11)),
    _day("spring", "Voorjaarsvakantie", D(2027, 2, 13), D(2027, 2, 21)),
    _day("easter", "Goede Vrijdag en Pasen", D(2027, 3, 26), D(2027, 3, 29)),
    _timed("games", "Koningsspelen", D(2027, 4, 23), T(8, 30), T(14, 0), "Sportpark De Wielen",
           "Sportkleding aan en een bidon mee."),
    _day("may", "Meivakantie", D(2027, 4, 24), D(2027, 5, 2)),
    _day("king", "Koningsdag", D(2027, 4, 27)),
    _day("ascension", "Hemelvaart", D(2027, 5, 6), D(2027, 5, 7)),
    _day("whitsun", "Tweede Pinksterdag", D(2027, 5, 17)),
    _timed("trip5", "Schoolreisje", D(2027, 6, 10), T(8, 30), T(16, 0), "Dierenpark Amersfoort",
           "Lunchpakket en drinken mee; de bus vertrekt om 8.45 uur.", groups=["Groep 5"]),
    _day("study4", "Studiedag: alle kinderen vrij", D(2027, 6, 18)),
    _timed("camp8", "Kamp", D(2027, 6, 23), T(9, 0), T(14, 0), "Kampeerboerderij De Hooiberg, Ede",
           "De paklijst staat in het bericht van juf Marloes.", groups=["Groep 8"],
           last=D(2027, 6, 25)),
    _timed("musical", "Afscheidsmusical groep 8", D(2027, 7, 7), T(19, 0), T(21, 0), "Speelzaal",
           "Ouders van groep 8 zijn van harte welkom.", groups=["Groep 8"]),
    _day("last", "Laatste schooldag: om 12.00 uur vrij", D(2027, 7, 9)),
    _day("summer", "Zomervakantie", D(2027, 7, 10), D(2027, 8, 22), text="Regio midden."),
]


def seed(today):
    """Add the demo year's activities; a second run adds nothing (natural keys)."""
    groups = {g.name: g.id for g in Group.select().where(
        Group.school_year == f"{service.school_year_start(today)}-"
                             f"{service.school_year_start(today) + 1}")}
    director = User.by_email("directie@example.org")
    now = utcnow()
    rows = [{"title": title, "starts_on": first, "ends_on": last or first, "starts_at": start,
             "ends_at": end, "place": place, "description": text,
             "whole_school": not audience, "import_key": _key(key),
             "created_by": director.id if director else None, "created_at": now,
             "updated_at": now}
            for key, title, first, last, start, end, place, text, audience in YEAR]
    Activity.insert_many(rows).on_conflict_ignore().execute()
    ids = {a.import_key: a.id for a in Activity.select().where(
        Activity.import_key.in_([row["import_key"] for row in rows]))}
    links = [{"activity": ids[_key(key)], "group": groups[name]}
             for key, *_rest, audience in YEAR for name in audience or () if name in groups]
    if links:
        ActivityGroup.insert_many(links).on_conflict_ignore().execute()


def _key(key):
    """The natural key of one demo activity."""
    return service.import_key(f"demo-{SCHOOL_YEAR}-{key}")
