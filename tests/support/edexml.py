"""EDEXML files shaped like an administration's export (ParnasSys' EDEX.XML), for tests and bench.

`school_export(...)` gives the data of a believable school; `to_xml(data)` writes it as
EDEXML 2.1: school, groepen (stamgroepen and a samengestelde groep), leerlingen with their
groep reference, names split as the administration keeps them, and leerkrachten with
their groep references. Change the data between two exports to move or drop pupils.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from schoolportal.core.models import school_year_of

NAMESPACE = "http://www.edustandaard.nl/edexml/2.1"
FIRST = ["Emma", "Noah", "Julia", "Liam", "Mila", "Luca", "Tess", "Finn", "Sara", "Daan",
         "Zoë", "Levi", "Nora", "Mees", "Fleur", "Bram", "Lina", "Jesse", "Isa", "Milan"]
LAST = [("", "Jong"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Visser"),
        ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Yilmaz"), ("", "Nguyen")]


@dataclass
class Leerling:
    """One pupil as the administration holds them."""

    key: str
    roepnaam: str
    voorvoegsel: str
    achternaam: str
    geboortedatum: date
    groep: str | None
    instroomdatum: date | None = None

    @property
    def full_name(self):
        """The name the portal shows."""
        last = f"{self.voorvoegsel} {self.achternaam}".strip()
        return f"{self.roepnaam} {last}"


@dataclass
class Leerkracht:
    """One teacher with the keys of their groups."""

    key: str
    roepnaam: str
    achternaam: str
    email: str
    groepen: list = field(default_factory=list)


@dataclass
class SchoolExport:
    """What one export holds: (key, name, jaargroep) groups, pupils and teachers."""

    schooljaar: str
    brincode: str
    groepen: list
    leerlingen: list
    leerkrachten: list
    samengesteld: list = field(default_factory=lambda: [("SG-1", "Plusgroep")])

    def pupil(self, key):
        """The pupil with this key."""
        return next(p for p in self.leerlingen if p.key == key)


def school_export(today, groups=4, per_group=15, teachers=True, seed=7, prefix="LL"):
    """A school of `groups` groups with `per_group` pupils each (60 by default) and teachers."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    year = school_year_of(today)
    start = int(year[:4])
    levels = (3, 4, 6, 7)  # the demo school has Groep 1/2A, 5 and 8 already
    groepen = [(f"G-{n + 1}", f"Groep {levels[n % 4]}{'ABCDEFGHIJKL'[n // 4]}", levels[n % 4])
               for n in range(groups)]
    leerlingen, number = [], 0
    for key, _name, jaargroep in groepen:
        for _ in range(per_group):
            number += 1
            infix, last = rng.choice(LAST)
            born = date(start - jaargroep - 4, rng.randint(1, 12), rng.randint(1, 28))
            leerlingen.append(Leerling(f"{prefix}{100000 + number}", rng.choice(FIRST), infix,
                                       last, born, key, date(start - jaargroep + 1, 8, 20)))
    leerkrachten = [Leerkracht(f"LK-{n}", f"Juf{n}", f"Docent{n}", f"leerkracht{n}@example.org",
                               [key]) for n, (key, _name, _j) in enumerate(groepen, start=1)
                    ] if teachers else []
    return SchoolExport(year, "99XX00", groepen, leerlingen, leerkrachten)


def to_xml(data, namespace=NAMESPACE, encoding="UTF-8"):
    """The export as EDEXML bytes."""
    ns = f' xmlns={quoteattr(namespace)}' if namespace else ""
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', f"<EDEX{ns}>",
           "  <school>", f"    <schooljaar>{data.schooljaar}</schooljaar>",
           f"    <brincode>{data.brincode}</brincode>",
           "    <auteur>ParnasSys</auteur>", "    <xsdversie>2.1</xsdversie>", "  </school>",
           "  <groepen>"]
    for key, name, jaargroep in data.groepen:
        out.append(f"    <groep key={quoteattr(key)}><naam>{escape(name)}</naam>"
                   f"<jaargroep>{jaargroep}</jaargroep></groep>")
    for key, name in data.samengesteld:
        out.append(f"    <samengestelde_groep key={quoteattr(key)}><naam>{escape(name)}</naam>"
                   "</samengestelde_groep>")
    out += ["  </groepen>", "  <leerlingen>"]
    for p in data.leerlingen:
        parts = [f"    <leerling key={quoteattr(p.key)} eckid=\"https://ketenid.nl/201703/x\">",
                 f"      <achternaam>{escape(p.achternaam)}</achternaam>"]
        if p.voorvoegsel:
            parts.append(f"      <voorvoegsel>{escape(p.voorvoegsel)}</voorvoegsel>")
        parts += [f"      <roepnaam>{escape(p.roepnaam)}</roepnaam>",
                  f"      <voornamen>{escape(p.roepnaam)} Maria</voornamen>",
                  f"      <voorletters-1>{p.roepnaam[0]}.M.</voorletters-1>",
                  f"      <geboortedatum>{p.geboortedatum.isoformat()}</geboortedatum>",
                  "      <geslacht>0</geslacht>"]
        if p.groep:
            parts.append(f"      <groep key={quoteattr(p.groep)}/>")
        parts.append("      <samengestelde_groepen><samengestelde_groep key=\"SG-1\"/>"
                     "</samengestelde_groepen>")
        if p.instroomdatum:
            parts.append(f"      <instroomdatum>{p.instroomdatum.isoformat()}</instroomdatum>")
        parts.append("    </leerling>")
        out += parts
    out += ["  </leerlingen>", "  <leerkrachten>"]
    for t in data.leerkrachten:
        groups = "".join(f"<groep key={quoteattr(k)}/>" for k in t.groepen)
        out.append(f"    <leerkracht key={quoteattr(t.key)}><achternaam>{escape(t.achternaam)}"
                   f"</achternaam><roepnaam>{escape(t.roepnaam)}</roepnaam>"
                   f"<emailadres>{escape(t.email)}</emailadres><groepen>{groups}</groepen>"
                   "</leerkracht>")
    out += ["  </leerkrachten>", "</EDEX>", ""]
    return "\n".join(out).encode(encoding)
