"""Reading the pupil CSV: encoding, delimiter, columns, and the cells of each row.

Nothing here touches the database. The bytes of an upload become rows of clean values
plus row errors (row number, column, message), or one file error that says why the file
cannot be read at all. The columns are documented in docs/import-format.md.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from schoolportal.core.models import normalize_email

MAX_BYTES = 2 * 1024 * 1024  # a school of 1,000 pupils fits in about 150 kB
MAX_ROWS = 2000
MAX_CELL = 254  # the longest value any column holds (an email address)
MAX_AGE_YEARS = 20
# A cell starting with one of these is run as a formula when the file is opened in a
# spreadsheet again ("CSV injection"); no name, number, date or address starts so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")  # catches typos; the invitation proves it
PUPIL_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Column:
    """A column of the file: its key here, its Dutch and English headers, other spellings."""

    key: str
    dutch: str
    english: str
    aliases: tuple = ()
    required: bool = True
    max_length: int = 100
    help: str = ""


COLUMNS = (
    Column("pupil_number", "leerlingnummer", "pupil_number", ("leerlingnr", "studentnumber"),
           max_length=32, help=_l("The number from the school administration. It recognises "
                                  "the pupil at a next import: letters, digits, - . _ /.")),
    Column("first_name", "voornaam", "first_name", ("roepnaam",),
           help=_l("The name the child is called by.")),
    Column("infix", "tussenvoegsel", "infix", ("prefix",), required=False,
           help=_l("For example “van der”; it is put before the last name.")),
    Column("last_name", "achternaam", "last_name", ("surname",), help=_l("The last name.")),
    Column("birth_date", "geboortedatum", "birth_date", ("dateofbirth",),
           help=_l("dd-mm-yyyy, for example 03-09-2019 (3-9-2019 is fine too).")),
    Column("group", "groep", "group", ("klas", "class"),
           help=_l("The name of a group of this school year, as in the portal.")),
    Column("email_1", "email_ouder_1", "guardian_email_1",
           ("emailouderverzorger1", "parentemail1"), max_length=254,
           help=_l("The email address of a parent or guardian (may be empty).")),
    Column("email_2", "email_ouder_2", "guardian_email_2",
           ("emailouderverzorger2", "parentemail2"), required=False, max_length=254,
           help=_l("A second parent or guardian.")),
    Column("email_3", "email_ouder_3", "guardian_email_3",
           ("emailouderverzorger3", "parentemail3"), required=False, max_length=254,
           help=_l("A third parent or guardian.")),
)
EMAIL_KEYS = ("email_1", "email_2", "email_3")


NOT_UTF8 = _l("The file is not in UTF-8, so letters such as é and ë would come out wrong. In "
              "Excel, choose Save as › “CSV UTF-8 (comma delimited)” and upload that file.")

TOO_MANY_ROWS = _l("The file has more than %(max)d rows. Import at most %(max)d pupils at a "
                   "time.", max=MAX_ROWS)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the admin."""


@dataclass
class RowError:
    """One problem in one cell: row number as a spreadsheet shows it, column header, message."""

    row: int
    column: str
    message: str


@dataclass
class CsvRow:
    """The clean values of one row; a value is None when its cell had an error."""

    row: int
    values: dict
    emails: list = field(default_factory=list)  # (column header, address), in column order


@dataclass
class CsvFile:
    """The rows of a readable file, its row errors, and notes about ignored columns."""

    rows: list
    errors: list
    warnings: list
    headers: dict  # column key -> the header as written in the file


def _header_key(text):
    """Compare headers without case, spaces, dashes or underscores."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


HEADER_KEYS = {
    _header_key(spelling): column
    for column in COLUMNS
    for spelling in (column.dutch, column.english, *column.aliases)
}
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def read_limited(stream):
    """At most MAX_BYTES of an upload; a larger file is refused without reading it all."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_l("The file is larger than %(mb)d MB. A school's pupil list "
                                 "is much smaller: check that you chose the right file.",
                                 mb=MAX_BYTES // (1024 * 1024)))
    return data


def decode(data):
    """The text of the file: UTF-8, with or without a byte order mark."""
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_l("This is an Excel workbook, not a CSV file. In Excel, choose "
                                 "Save as › “CSV UTF-8 (comma delimited)” and upload that file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, Excel's "Unicode text"
        raise ImportFileError(NOT_UTF8)
    if b"\x00" in data:
        raise ImportFileError(_l("This is not a CSV text file. Save the list from your "
                                 "spreadsheet as “CSV UTF-8” and upload that file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_UTF8) from None


def _delimiter(text):
    """`;` or `,`: an Excel `sep=` line decides, otherwise whichever the header uses most."""
    lines = iter(text.splitlines())
    first = next(lines, "").strip().strip('"')
    if first.lower().startswith("sep=") and first[4:5] in (";", ","):
        return first[4], 1
    header = first or next((line for line in lines if line.strip()), "")
    return (";" if header.count(";") >= header.count(",") else ","), 0


def _map_headers(header_cells, row_number):
    """Column key -> position; unknown headers become warnings, missing ones a file error."""
    positions, warnings, headers = {}, [], {}
    for position, cell in enumerate(header_cells):
        text = cell.strip()
        if len(text) > 100:
            raise ImportFileError(_l("Row %(row)d is not a row of column names. The first row "
                                     "must name the columns.", row=row_number))
        column = HEADER_KEYS.get(_header_key(text))
        if column is None:
            if text:
                warnings.append(_l("The column “%(column)s” is not used and is ignored.",
                                   column=text))
            continue
        if column.key in positions:
            raise ImportFileError(_l("The column “%(column)s” appears twice.", column=text))
        positions[column.key], headers[column.key] = position, text
    missing = [c.dutch for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(_l(
            "These columns are missing: %(columns)s. The first row must name the columns, "
            "separated by ; or ,.", columns=", ".join(missing)))
    return positions, headers, warnings


def read(text, today):
    """Read a file's text into a CsvFile; raises ImportFileError for an unreadable file."""
    delimiter, skip = _delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(_limited(records))
    except csv.Error:
        raise ImportFileError(_l("The file cannot be read as CSV (a cell is too long or a "
                                 "quote is not closed).")) from None
    numbered = [(n, cells) for n, cells in enumerate(records, start=1) if n > skip]
    numbered = [(n, cells) for n, cells in numbered if any(c.strip() for c in cells)]
    if not numbered:
        raise ImportFileError(_l("The file is empty."))
    header_row, header_cells = numbered[0]
    positions, headers, warnings = _map_headers(header_cells, header_row)
    if len(numbered) == 1:
        raise ImportFileError(_l("The file has column names but no pupils."))
    if len(numbered) > MAX_ROWS + 1:
        raise ImportFileError(TOO_MANY_ROWS)
    rows, errors = [], []
    for number, cells in numbered[1:]:
        if any(cell.strip() for cell in cells[len(header_cells):]):
            errors.append(RowError(number, "", _l(
                "This row has more cells than there are columns.")))
        rows.append(_read_row(number, cells, positions, headers, errors, today))
    return CsvFile(rows=rows, errors=errors, warnings=warnings, headers=headers)


def _limited(records):
    """The records of the file; stops early in a file of thousands of (blank) lines."""
    for count, record in enumerate(records):
        if count > 2 * MAX_ROWS:
            raise ImportFileError(TOO_MANY_ROWS)
        yield record


def _read_row(number, cells, positions, headers, errors, today):
    """The clean values of one row; each problem is added to errors."""
    values, emails = {}, []
    for key, position in positions.items():
        raw = " ".join((cells[position] if position < len(cells) else "").split())
        error, value = _check_cell(COLUMN_BY_KEY[key], raw, today)
        if error:
            errors.append(RowError(number, headers[key], error))
        values[key] = value
        if key in EMAIL_KEYS and value:
            if value in (e for _h, e in emails):
                errors.append(RowError(number, headers[key], _l(
                    "This address is already in another column of this row.")))
                values[key] = None
            else:
                emails.append((headers[key], value))
    if values.get("infix") and values.get("last_name"):
        values["last_name"] = f"{values['infix']} {values['last_name']}"[:100]
    return CsvRow(row=number, values=values, emails=emails)


def _check_cell(column, raw, today):
    """(error or None, clean value or None) for one cell."""
    if not raw:
        if column.required and column.key not in EMAIL_KEYS:
            return _l("This cell is empty."), None
        return None, ""
    if len(raw) > column.max_length:
        return _l("This cell is too long (at most %(max)d characters).",
                  max=column.max_length), None
    if raw.startswith(FORMULA_START):
        return _l("This cell starts with =, +, - or @, like a spreadsheet formula."), None
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        return _l("This cell contains characters that are not allowed."), None
    if column.key == "pupil_number" and not PUPIL_NUMBER.match(raw):
        return _l("Use only letters, digits, and - . _ / in a pupil number."), None
    if column.key == "birth_date":
        return _check_birth_date(raw, today)
    if column.key in EMAIL_KEYS:
        email = normalize_email(raw)
        if not EMAIL.match(email):
            return _l("This is not an email address."), None
        return None, email
    return None, raw


def parse_date(text):
    """A date written dd-mm-yyyy (also d-m-yyyy, with / or .) or yyyy-mm-dd; else None."""
    match = DUTCH_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_birth_date(raw, today):
    """A birth date that is real, not in the future, and of a child."""
    birth_date = parse_date(raw)
    if birth_date is None:
        return _l("Write the date as dd-mm-yyyy, for example 03-09-2019."), None
    if birth_date > today:
        return _l("This birth date is in the future."), None
    if birth_date.year < today.year - MAX_AGE_YEARS:
        return _l("This birth date is more than %(years)d years ago.",
                  years=MAX_AGE_YEARS), None
    return None, birth_date


def example_csv():
    """The example file offered for download (the same as docs/voorbeeld-import.csv)."""
    header = [c.dutch for c in COLUMNS]
    rows = [
        ["1001", "Daan", "de", "Vries", "14-03-2020", "Groep 1/2A", "j.devries@example.org",
         "", ""],
        ["1002", "Fleur", "van", "Dijk", "2-11-2019", "Groep 1/2A", "sanne.vandijk@example.org",
         "tom.vandijk@example.org", ""],
        ["1003", "Bram", "van", "Dijk", "21-06-2016", "Groep 5", "sanne.vandijk@example.org",
         "tom.vandijk@example.org", ""],
        ["1004", "Noor", "", "Yilmaz", "07-01-2015", "Groep 5", "e.yilmaz@example.org", "",
         "oma.yilmaz@example.org"],
    ]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
