"""Reading the pupil CSV: encodings, delimiters, headers, cells; no database involved."""

import io
from datetime import date
from pathlib import Path

import pytest

from schoolportal.imports import pupil_csv
from schoolportal.imports.pupil_csv import ImportFileError

TODAY = date(2026, 11, 21)
HEADER = "leerlingnummer;voornaam;achternaam;geboortedatum;groep;email_ouder_1;email_ouder_2"


@pytest.fixture(autouse=True)
def request_context(app):
    """Lazy messages are rendered in Dutch, as an admin would read them."""
    with app.test_request_context():
        yield


def _read(text, today=TODAY):
    """Decode and read a file given as text (UTF-8)."""
    return pupil_csv.read(pupil_csv.decode(text.encode("utf-8")), today)


def _errors(csv_file):
    """(row, column, Dutch message) of each row error."""
    return [(e.row, e.column, str(e.message)) for e in csv_file.errors]


def _file_error(data):
    """The Dutch message of the file error for these bytes."""
    with pytest.raises(ImportFileError) as caught:
        pupil_csv.read(pupil_csv.decode(data), TODAY)
    return str(caught.value.args[0])


def test_the_documented_example_is_the_one_offered_for_download():
    docs = Path(__file__).resolve().parents[2] / "docs" / "voorbeeld-import.csv"
    assert docs.read_text(encoding="utf-8") == pupil_csv.example_csv()
    assert _read(pupil_csv.example_csv()).errors == []


@pytest.mark.parametrize("delimiter", [";", ","])
def test_semicolons_and_commas_both_work(delimiter):
    text = (HEADER + "\n1;Sem;Jansen;3-9-2019;Groep 1/2A;Eva@Example.org ;\n").replace(
        ";", delimiter)
    [row] = _read(text).rows
    assert row.values["birth_date"] == date(2019, 9, 3)
    assert row.emails == [("email_ouder_1", "eva@example.org")]


def test_english_headers_in_another_order_with_bom_and_crlf():
    text = ("\ufeffGroup,Guardian Email 1,Pupil-Number,FIRST_NAME,last name,Birth date\r\n"
            'Groep 5,ouder@example.org,A-7,"Anna, Maria",de Wit,2016-02-29\r\n')
    [row] = _read(text).rows
    assert row.values["pupil_number"] == "A-7"
    assert row.values["first_name"] == "Anna, Maria"
    assert row.values["birth_date"] == date(2016, 2, 29)


def test_excel_sep_line_and_infix_and_empty_lines():
    text = ("sep=,\nleerlingnummer,voornaam,tussenvoegsel,achternaam,geboortedatum,groep,"
            "email_ouder_1\n,,,,,,\n1,Lotte,van der,Berg,07.01.2015,Groep 5,\n")
    csv_file = _read(text)
    [row] = csv_file.rows
    assert row.values["last_name"] == "van der Berg"
    assert row.row == 4  # the sep= line and the blank line count, as in Excel
    assert row.emails == []


@pytest.mark.parametrize(("cell", "message"), [
    ("31-02-2019", "Schrijf de datum als dd-mm-jjjj"),
    ("2019-3-4x", "Schrijf de datum als dd-mm-jjjj"),
    ("1-1-2030", "in de toekomst"),
    ("1-1-1990", "meer dan 20 jaar geleden"),
])
def test_bad_birth_dates_are_row_errors(cell, message):
    csv_file = _read(f"{HEADER}\n1;Sem;Jansen;{cell};Groep 1/2A;;\n")
    [(row, column, text)] = _errors(csv_file)
    assert (row, column) == (2, "geboortedatum") and message in text


def test_each_problem_gets_row_column_and_a_dutch_message():
    long_name = "x" * 10_000
    text = (f"{HEADER}\n"
            f"1;;Jansen;1-1-2019;Groep 5;geen-adres;\n"
            f"2;{long_name};Jansen;1-1-2019;Groep 5;a@example.org;A@example.org\n"
            f"3;=cmd|' /C calc'!A0;Jansen;1-1-2019;Groep 5;b@example.org;\n"
            f"4 4;Bo;Jansen;1-1-2019;Groep 5;;;extra\n")
    assert _errors(_read(text)) == [
        (2, "voornaam", "Deze cel is leeg."),
        (2, "email_ouder_1", "Dit is geen e-mailadres."),
        (3, "voornaam", "Deze cel is te lang (hoogstens 100 tekens)."),
        (3, "email_ouder_2", "Dit adres staat al in een andere kolom van deze rij."),
        (4, "voornaam",
         "Deze cel begint met =, +, - of @, zoals een spreadsheetformule."),
        (5, "", "Deze rij heeft meer cellen dan er kolommen zijn."),
        (5, "leerlingnummer",
         "Gebruik in een leerlingnummer alleen letters, cijfers en - . _ /."),
    ]


def test_unknown_columns_are_ignored_with_a_note():
    csv_file = _read(HEADER + ";telefoon\n1;Sem;Jansen;1-1-2019;Groep 5;;;0612345678\n")
    assert [str(w) for w in csv_file.warnings] == [
        "De kolom “telefoon” wordt niet gebruikt en genegeerd."]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Het bestand is leeg."),
    (b"  \r\n\r\n", "Het bestand is leeg."),
    (HEADER.encode() + b"\r\n", "kolomnamen maar geen leerlingen"),
    (b"\n;;;\n", "Het bestand is leeg."),
    ((HEADER + "\n1;José;Müller;1-1-2019;Groep 5;;\n").encode("latin-1"), "niet in UTF-8"),
    ((HEADER + "\n").encode("utf-16"), "niet in UTF-8"),
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel-werkmap"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "geen CSV-tekstbestand"),
    (b"naam;adres\nJan;Dorpsstraat 1\n", "Deze kolommen ontbreken: leerlingnummer, voornaam"),
    (b"leerlingnummer\tvoornaam\tachternaam\n1\tSem\tJansen\n", "Deze kolommen ontbreken"),
    ((HEADER + ";groep\n").encode(), "De kolom “groep” staat er twee keer in."),
    (("x" * 500 + "\n1\n").encode(), "Rij 1 bevat geen kolomnamen"),
    (('"' + "y" * 200_000 + "\n").encode(), "kan niet als CSV worden gelezen"),
])
def test_unreadable_files_give_one_clear_message(data, message):
    assert message in _file_error(data)


def test_more_rows_than_allowed_is_a_file_error():
    rows = "".join(f"{n};Sem;Jansen;1-1-2019;Groep 5;;\n" for n in range(2001))
    assert "meer dan 2000 rijen" in _file_error((HEADER + "\n" + rows).encode())


def test_an_upload_larger_than_the_limit_is_refused_without_reading_it_all():
    class Endless(io.RawIOBase):
        """A stream that would never end."""

        read_bytes = 0

        def readable(self):
            """It can be read."""
            return True

        def readinto(self, buffer):
            """Fill whatever is asked."""
            self.read_bytes += len(buffer)
            buffer[:] = b"a" * len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(ImportFileError) as caught:
        pupil_csv.read_limited(io.BufferedReader(stream))
    assert "groter dan 2 MB" in str(caught.value.args[0])
    assert stream.read_bytes < 3 * 1024 * 1024


def test_dates_in_every_documented_spelling():
    assert pupil_csv.parse_date("03-09-2019") == date(2019, 9, 3)
    assert pupil_csv.parse_date("3-9-2019") == date(2019, 9, 3)
    assert pupil_csv.parse_date("3/9/2019") == date(2019, 9, 3)
    assert pupil_csv.parse_date("2019-09-03") == date(2019, 9, 3)
    assert pupil_csv.parse_date("9/3/19") is None
    assert pupil_csv.parse_date("29-02-2019") is None
