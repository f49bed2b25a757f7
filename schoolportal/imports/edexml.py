"""Reading an EDEXML file (EDEXML 2.x, as ParnasSys, ESIS and others export it).

The blocks `school`, `groepen`, `leerlingen` and `leerkrachten` and their elements are found
by local name whatever their namespace (the standard's own, UWLR's, or none). The parser is
defusedxml's: a DTD, an entity or an external reference refuses the file, so it can neither
expand a "billion laughs" bomb nor read files or URLs. Nothing here touches the database;
the result is an Export, or an EdexmlFileError with a message for the office.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import lazy_gettext as _l

from schoolportal.core.models import normalize_email
from schoolportal.imports.pupil_csv import EMAIL, parse_date

MAX_BYTES = 10 * 1024 * 1024  # an export of 1,000 pupils with teachers is about 1 MB
MAX_PUPILS = 3000
MAX_KEY = 64
MAX_NAME = 100
EDEX2000_NAME = re.compile(r"edex(ll|lk|gr|lg)\.txt$", re.IGNORECASE)
SCHOOL_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")


class EdexmlFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the office."""


@dataclass
class EdexGroup:
    """A stamgroep: the class a pupil belongs to."""

    key: str
    name: str
    year_group: int | None = None  # jaargroep 1-8, for the order of the groups


@dataclass
class EdexPupil:
    """A leerling, with the key of their stamgroep (None when the file gives none)."""

    key: str
    first_name: str
    last_name: str
    birth_date: date
    group_key: str | None
    starts_on: date | None = None  # instroomdatum

    @property
    def full_name(self):
        """Call name and last name, as the portal shows a pupil."""
        return f"{self.first_name} {self.last_name}"


@dataclass
class EdexTeacher:
    """A leerkracht with the keys of the stamgroepen they teach."""

    key: str
    name: str
    email: str
    group_keys: list = field(default_factory=list)


@dataclass
class Export:
    """What the portal uses of one EDEXML file, plus the problems found in it."""

    school_year: str = ""
    brincode: str = ""
    groups: list = field(default_factory=list)  # EdexGroup
    combined_groups: list = field(default_factory=list)  # names: listed, not imported
    pupils: list = field(default_factory=list)  # EdexPupil
    teachers: list = field(default_factory=list)  # EdexTeacher
    errors: list = field(default_factory=list)  # messages: the file cannot be applied
    warnings: list = field(default_factory=list)  # messages: skipped parts

    @property
    def group_by_key(self):
        """The file's groups by key."""
        return {group.key: group for group in self.groups}

    def to_json(self):
        """The export as JSON, to keep between preview and apply (no errors, no warnings)."""
        data = asdict(self)
        for pupil in data["pupils"]:
            pupil["birth_date"] = pupil["birth_date"].isoformat()
            pupil["starts_on"] = pupil["starts_on"] and pupil["starts_on"].isoformat()
        del data["errors"], data["warnings"]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text):
        """The export kept by to_json."""
        data = json.loads(text)
        pupils = [EdexPupil(**{**p, "birth_date": date.fromisoformat(p["birth_date"]),
                               "starts_on": p["starts_on"] and date.fromisoformat(p["starts_on"])})
                  for p in data["pupils"]]
        return cls(data["school_year"], data["brincode"],
                   [EdexGroup(**g) for g in data["groups"]], data["combined_groups"], pupils,
                   [EdexTeacher(**t) for t in data["teachers"]])


TOO_LARGE = _l("The file is larger than %(mb)d MB. An EDEXML export of a whole school is "
               "much smaller: check that you chose the right file.", mb=MAX_BYTES // 2**20)
UNSAFE = _l("The file contains a DTD or entities (<!DOCTYPE or <!ENTITY). An export from the "
            "school administration never does; for safety this file is not read.")


def read_limited(stream):
    """At most MAX_BYTES of an upload; a larger file is refused without reading it all."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise EdexmlFileError(TOO_LARGE)
    return data


def read(data, today, file_name=""):
    """The Export in a file's bytes; raises EdexmlFileError when it is no EDEXML at all."""
    if len(data) > MAX_BYTES:
        raise EdexmlFileError(TOO_LARGE)
    _refuse_other_formats(data, file_name)
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise EdexmlFileError(UNSAFE) from error
    except ParseError as error:
        line, column = error.position
        raise EdexmlFileError(_l(
            "The file is not valid XML: it breaks off at line %(line)d, column %(column)d. "
            "Export the file from the administration again.", line=line, column=column + 1)
        ) from error
    block = next((el for el in root.iter() if _child(el, "leerlingen") is not None), None)
    if block is None:
        raise EdexmlFileError(_l(
            "This XML file is no EDEXML export: it has no <leerlingen>. Export “EDEXML” "
            "(EDEX.XML) from the school administration."))
    export = Export()
    _read_school(export, _child(block, "school"))
    _read_groups(export, _child(block, "groepen"))
    _read_pupils(export, _child(block, "leerlingen"), today)
    _read_teachers(export, _child(block, "leerkrachten"))
    return export


def _refuse_other_formats(data, file_name):
    """A clear message for an empty file, a workbook, a CSV or an EDEX2000 text export."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise EdexmlFileError(_l("The file is empty."))
    if start.startswith(b"PK\x03\x04"):
        raise EdexmlFileError(_l(
            "This is an Excel workbook or a ZIP file, not EDEXML. Export “EDEXML” (EDEX.XML) "
            "from the school administration."))
    if start.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        return
    lines = [line for line in start[:20000].splitlines() if line.strip()][:20]
    fixed_width = len(lines) > 1 and len({len(line.rstrip(b"\r")) for line in lines}) == 1
    if EDEX2000_NAME.search(file_name or "") or (fixed_width and b";" not in lines[0]):
        raise EdexmlFileError(_l(
            "This is an EDEX2000 text export (like EDEXLL.TXT), the old format. Export "
            "“EDEXML” (EDEX.XML) from the school administration instead."))
    if any(sep in lines[0] for sep in (b";", b",", b"\t")):
        raise EdexmlFileError(_l(
            "This is a CSV file, not EDEXML. Export “EDEXML” (EDEX.XML) from the school "
            "administration, or import the CSV with the form for CSV files."))
    raise EdexmlFileError(_l(
        "This is not an EDEXML file. Export “EDEXML” (EDEX.XML) from the school "
        "administration."))


def _local(tag):
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    """The element's children with this local name."""
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _child(element, name):
    """The element's first child with this local name, or None."""
    found = _children(element, name)
    return found[0] if found else None


def _text(element, name):
    """The text of a child, with spaces tidied; "" when absent."""
    found = _child(element, name)
    return " ".join((found.text or "").split()) if found is not None else ""


def _key(element):
    """The element's key attribute (tidied), or ""."""
    return " ".join((element.get("key") or "").split()) if element is not None else ""


def _read_school(export, school):
    """The school year ("2026-2027") and the BRIN code."""
    year = _text(school, "schooljaar")
    match = SCHOOL_YEAR.match(year)
    export.school_year = f"{match.group(1)}-{match.group(2)}" if match else ""
    if year and not match:
        export.errors.append(_l("The school year “%(year)s” in the file is not like 2026-2027.",
                                year=year[:20]))
    export.brincode = _text(school, "brincode").upper()[:12]


def _read_groups(export, groups):
    """Stamgroepen to import; samengestelde groepen only listed."""
    seen = set()
    for element in _children(groups, "groep"):
        key, name = _key(element), _text(element, "naam")[:MAX_NAME]
        if not key or not name or len(key) > MAX_KEY:
            export.errors.append(_l("A group in the file has no key or no name (%(name)s).",
                                    name=name or key[:MAX_KEY] or "–"))
            continue
        if key in seen:
            export.errors.append(_l("The group key %(key)s appears twice.", key=key))
            continue
        seen.add(key)
        year_group = _text(element, "jaargroep")
        export.groups.append(EdexGroup(key, name, int(year_group) if year_group.isdigit()
                                       and len(year_group) < 3 else None))
    export.combined_groups = [_text(element, "naam") or _key(element)
                              for element in _children(groups, "samengestelde_groep")]


def _read_pupils(export, pupils, today):
    """Leerlingen: names, birth date, stamgroep and start date, each checked."""
    elements = _children(pupils, "leerling")
    if len(elements) > MAX_PUPILS:
        raise EdexmlFileError(_l("The file has more than %(max)d pupils. That is not one "
                                 "primary school.", max=MAX_PUPILS))
    group_keys, seen, ungrouped = {g.key for g in export.groups}, set(), 0
    for element in elements:
        pupil, problem = _pupil(element, today)
        if problem is None and pupil.key in seen:
            problem = _l("the key appears twice in the file")
        if problem is None and pupil.group_key and pupil.group_key not in group_keys:
            problem = _l("its group %(key)s is not among the groups in the file",
                         key=pupil.group_key)
        if problem is not None:
            export.errors.append(_l("Pupil %(key)s (%(name)s): %(problem)s.",
                                    key=_key(element)[:MAX_KEY] or "–", name=_name(element)
                                    or "–", problem=problem))
            continue
        seen.add(pupil.key)
        ungrouped += pupil.group_key is None
        export.pupils.append(pupil)
    if ungrouped:
        export.warnings.append(_l(
            "%(num)d pupils in the file have no group (registered, not yet placed); they are "
            "left as they are.", num=ungrouped))


def _names(element):
    """Call name (else the first given name), and last name with its prefix."""
    first = _text(element, "roepnaam") or _text(element, "voornamen").split(" ")[0]
    last = " ".join(part for part in (_text(element, "voorvoegsel"),
                                      _text(element, "achternaam")) if part)
    return first, last


def _name(element):
    """The whole name, for messages and new accounts."""
    return " ".join(part for part in _names(element) if part)


def _pupil(element, today):
    """(EdexPupil, None), or (None, what is wrong with this leerling)."""
    key = _key(element)
    first, last = _names(element)
    if not key or len(key) > MAX_KEY or not key.isprintable():
        return None, _l("it has no usable key")
    if not first or not _text(element, "achternaam"):
        return None, _l("the call name or the last name is missing")
    if len(first) > MAX_NAME or len(last) > MAX_NAME:
        return None, _l("a name is longer than %(max)d characters", max=MAX_NAME)
    birth_date = parse_date(_text(element, "geboortedatum"))
    if birth_date is None or birth_date > today or birth_date.year < today.year - 25:
        return None, _l("the birth date is missing or impossible")
    starts = _text(element, "instroomdatum")
    starts_on = parse_date(starts) if starts else None
    if starts and starts_on is None:
        return None, _l("the start date (instroomdatum) is not a date")
    group_key = _key(_child(element, "groep")) or None
    return EdexPupil(key, first, last, birth_date, group_key, starts_on), None


def _read_teachers(export, teachers):
    """Leerkrachten with an email address; the others are skipped with a warning."""
    group_keys, seen = {g.key for g in export.groups}, set()
    for element in _children(teachers, "leerkracht"):
        key, name = _key(element), _name(element)[:MAX_NAME]
        email = normalize_email(_text(element, "emailadres"))
        if not key or len(key) > MAX_KEY or not name:
            export.warnings.append(_l("A teacher without a key or a name is skipped."))
            continue
        if not EMAIL.match(email) or len(email) > 254:
            export.warnings.append(_l(
                "Teacher %(name)s has no valid email address in the file and is skipped.",
                name=name))
            continue
        if email in seen:
            export.warnings.append(_l("The address %(email)s belongs to two teachers in the "
                                      "file; the second (%(name)s) is skipped.",
                                      email=email, name=name))
            continue
        seen.add(email)
        keys = [_key(g) for g in _children(_child(element, "groepen"), "groep")]
        export.teachers.append(EdexTeacher(key, name, email,
                                           [k for k in dict.fromkeys(keys) if k in group_keys]))
