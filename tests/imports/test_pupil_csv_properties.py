"""The pupil CSV from the administration package, tried with Hypothesis: whatever the file
holds, a plan with clear messages (never a 500) and no script on the preview page."""

import io
from collections import Counter
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from schoolportal.imports import pupil_csv, service
from tests.support.hostile import FAST, HTTP, hostile_text, raw_markup_in, typed_attack
from tests.support.web import csrf_token_from

TODAY = date(2026, 11, 21)
COLUMNS = ["leerlingnummer", "voornaam", "achternaam", "geboortedatum", "groep",
           "email_ouder_1", "email_ouder_2", "ouder_1_naam", "onbekend"]

HEADER = "leerlingnummer;voornaam;achternaam;geboortedatum;groep;email_ouder_1"
cells = st.one_of(hostile_text, st.sampled_from(
    ["RB-9001", "Noor", "de Vries", "14-03-2020", "2020-03-14", "31-02-2020", "Groep 1/2A",
     "Groep 9", "ouder@example.org", "geen-adres", ""]))


def _cell(text):
    """Text that stays one cell of a ;-separated line (and is not a formula)."""
    for mark in (";", "\r", "\n", '"', "\x00"):
        text = text.replace(mark, " ")
    return text.strip().lstrip("=+-@")[:60] or "Noor"


@st.composite
def well_formed_files(draw):
    """Pupils the import accepts, with hostile names: what reaches the preview's tables."""
    rows = [f"RB-9{n:03d};{_cell(draw(typed_attack))};{_cell(draw(typed_attack))};"
            f"14-03-2019;Groep 1/2A;ouder{n}@example.org" for n in range(draw(st.integers(1, 3)))]
    return "\r\n".join([HEADER, *rows]).encode()


@st.composite
def csv_files(draw):
    """A CSV as a school's spreadsheet (or an attacker) might write it, as bytes."""
    if draw(st.booleans()):
        return draw(well_formed_files())
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=7))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 2), max_size=6))
    text = "\r\n".join(delimiter.join(row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


def _messages(plan):
    """Every message the preview would show, as text."""
    return [str(m) for m in plan.file_errors] + [str(e.message) for e in plan.errors]


@FAST
@given(st.one_of(csv_files(), st.binary(max_size=400)))
def test_any_file_gives_a_plan_with_clear_messages(app, data):
    with app.test_request_context():
        plan = service.preview(data, TODAY)  # never raises
        messages = _messages(plan)
        assert plan.ok or messages
        assert all(message.strip() for message in messages)


def _upload(admin, data):
    """Send a file through the real upload form."""
    page = admin.get("/admin/import").get_data(as_text=True)
    return admin.post("/admin/import", data={
        "csrf_token": csrf_token_from(page), "file": (io.BytesIO(data), "leerlingen.csv")})


@HTTP
@given(csv_files())
@example(data=b"leerlingnummer")  # only a header: the upload form comes back
def test_the_preview_page_never_fails_and_never_runs_the_files_text(app, admin, data):
    response = _upload(admin, data)
    assert response.status_code in (200, 422), response.status_code
    html = response.get_data(as_text=True)
    if response.status_code == 422:
        assert "field__error" in html or "<td" in html  # the message, at the file or the row
    # The page before an upload and the preview of the school's example file hold every form
    # and script the page itself writes (a file that is only a header gets the upload form
    # back, a good one the confirm form): anything beyond those came from the file.
    baseline = (Counter(raw_markup_in(admin.get("/admin/import").get_data(as_text=True)))
                | Counter(raw_markup_in(_upload(admin, pupil_csv.example_csv().encode())
                                        .get_data(as_text=True))))
    assert Counter(raw_markup_in(html)) - baseline == Counter()
