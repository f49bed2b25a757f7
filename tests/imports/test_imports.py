"""The import pages: upload, preview, confirm; admins only; hostile files never give a 500."""

import io
import re

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Guardianship, OutboxMail, Pupil, User
from schoolportal.imports import pupil_csv
from schoolportal.imports.models import PupilImport
from schoolportal.invitations.models import Invitation
from tests.support.web import csrf_token_from, run_worker

EXAMPLE = pupil_csv.example_csv().encode("utf-8")
HEADER = "leerlingnummer;voornaam;achternaam;geboortedatum;groep;email_ouder_1"


def upload(client, data, name="leerlingen.csv", token=None):
    """Send a file through the real upload form."""
    if token is None:
        token = csrf_token_from(client.get("/admin/import").get_data(as_text=True))
    return client.post("/admin/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)})


def confirm_key(html):
    """The key in the confirm form of a preview, or None when it has no confirm form."""
    match = re.search(r'name="key" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else None


def confirm(client, html):
    """Press "Import now" on a preview page."""
    return client.post("/admin/import/confirm", data={
        "csrf_token": csrf_token_from(html), "key": confirm_key(html)})


def text(response):
    """The page's text with tags and runs of spaces removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def counts(app):
    """Rows an import could add."""
    with app.app_context(), db.connection_context():
        return [m.select().count() for m in (Pupil, User, Guardianship, Invitation, OutboxMail,
                                             PupilImport)]


def test_the_upload_page_documents_the_columns_and_offers_the_example(admin):
    page = admin.get("/admin/import")
    assert page.status_code == 200
    body = text(page)
    assert "Leerlingen importeren" in body and "leerlingnummer" in body
    assert "guardian_email_1" in body and "dd-mm-jjjj" in body
    example = admin.get("/admin/import/voorbeeld-import.csv")
    assert example.status_code == 200 and example.mimetype == "text/csv"
    assert example.data == b"\xef\xbb\xbf" + EXAMPLE  # with a BOM, so Excel reads UTF-8
    assert "attachment" in example.headers["Content-Disposition"]


def test_preview_then_confirm_imports_and_invites(app, admin, smtp_server):
    before = counts(app)
    preview = upload(admin, EXAMPLE)
    assert preview.status_code == 200
    body = text(preview)
    assert "Nieuwe leerlingen 4" in body and "Uitnodigingen die nu verstuurd worden 5" in body
    assert "Daan de Vries" in body and counts(app) == [*before[:5], before[5] + 1]
    done = confirm(admin, preview.get_data(as_text=True))
    assert done.status_code == 302 and done.location.endswith("/admin/import")
    assert "Import klaar: 4 nieuwe leerlingen, 0 gewijzigd, 7 ouders/verzorgers gekoppeld, " \
           "5 uitnodigingen verstuurd." in text(admin.get("/admin/import"))
    run_worker(app)
    [mail] = smtp_server.to("j.devries@example.org")
    assert "Je uitnodiging voor het portaal" in mail["Subject"]
    assert "als ouder of verzorger van Daan" in mail.get_body(("plain",)).get_content()


def test_importing_the_same_file_again_offers_nothing_to_confirm(app, admin):
    confirm(admin, upload(admin, EXAMPLE).get_data(as_text=True))
    before = counts(app)
    again = upload(admin, EXAMPLE)
    assert again.status_code == 200
    assert "Alles in dit bestand staat al in het portaal" in text(again)
    assert confirm_key(again.get_data(as_text=True)) is None
    assert counts(app) == before


def test_confirming_twice_imports_once(app, admin):
    html = upload(admin, EXAMPLE).get_data(as_text=True)
    confirm(admin, html)
    before = counts(app)
    second = confirm(admin, html)
    assert second.status_code == 302 and counts(app) == before
    assert "Dit bestand is al geïmporteerd" in text(admin.get("/admin/import"))


def test_a_preview_that_went_stale_is_shown_again_instead_of_applied(app, admin, login_as):
    html = upload(admin, EXAMPLE).get_data(as_text=True)
    other_admin_page = upload(admin, EXAMPLE.replace(b"1002;", b"9002;"))
    confirm(admin, other_admin_page.get_data(as_text=True))  # pupil 1001 exists now
    before = counts(app)
    stale = confirm(admin, html)
    assert stale.status_code == 409
    assert "zijn veranderd nadat je dit bestand controleerde" in text(stale)
    assert counts(app)[:5] == before[:5]
    assert confirm(admin, stale.get_data(as_text=True)).status_code == 302


def test_row_errors_are_listed_and_block_the_import(app, admin):
    before = counts(app)
    data = (f"{HEADER}\n"
            "1;Zoë;Ünal;31-02-2019;Groep 5;zoe@example.org\n"
            f"2;{'x' * 10_000};Jansen;1-1-2019;Groep 9;ouder@example.org\n"
            "3;=cmd|' /C calc'!A0;<script>alert(1)</script>;1-1-2019;Groep 5;a@b\n").encode()
    page = upload(admin, data, name="lijst" + "x" * 10_000 + ".csv")
    assert page.status_code == 422
    body = text(page)
    assert "5 fouten in het bestand" in body
    assert "Bestand: lijst" + "x" * 95 + " " in body  # a long name is cut short
    assert "2 geboortedatum Schrijf de datum als dd-mm-jjjj" in body
    assert "3 voornaam Deze cel is te lang (hoogstens 100 tekens)." in body
    assert "3 groep Er is geen groep “Groep 9”" in body
    assert "4 voornaam Deze cel begint met =, +, - of @" in body
    assert "4 email_ouder_1 Dit is geen e-mailadres." in body
    assert "<script>alert" not in page.get_data(as_text=True)
    assert confirm_key(page.get_data(as_text=True)) is None
    assert counts(app) == before


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Het bestand is leeg."),
    (HEADER.encode() + b"\n", "kolomnamen maar geen leerlingen"),
    ((HEADER + "\n1;José;Müller;1-1-2019;Groep 5;\n").encode("cp1252"), "niet in UTF-8"),
    (b"\x00garbage\xff" * 500_000, "groter dan 2 MB"),
    (bytes(range(256)) * 400, "Dit is geen CSV-tekstbestand"),
    (b"naam,adres\n", "Deze kolommen ontbreken"),
])
def test_unreadable_files_are_refused_next_to_the_field(app, admin, data, message):
    before = counts(app)
    page = upload(admin, data, name="x" * 10_000 + ".csv")
    assert page.status_code == 422
    assert message in text(page)
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert counts(app) == before


def test_no_file_chosen(admin):
    token = csrf_token_from(admin.get("/admin/import").get_data(as_text=True))
    page = admin.post("/admin/import", data={"csrf_token": token})
    assert page.status_code == 422
    assert "Kies het CSV-bestand dat je wilt importeren." in text(page)


def test_missing_or_wrong_csrf_changes_nothing(app, admin):
    before = counts(app)
    assert upload(admin, EXAMPLE, token="").status_code == 400
    assert upload(admin, EXAMPLE, token="forged").status_code == 400
    html = upload(admin, EXAMPLE).get_data(as_text=True)
    before = counts(app)
    response = admin.post("/admin/import/confirm", data={"key": confirm_key(html)})
    assert response.status_code == 400 and counts(app) == before


def test_only_admins_may_import(app, client, parent, other_parent, teacher, admin):
    html = upload(admin, EXAMPLE).get_data(as_text=True)
    key = confirm_key(html)
    assert client.get("/admin/import").status_code == 302  # to the login page
    assert client.post("/admin/import/confirm", data={"key": key}).status_code in (400, 401)
    before = counts(app)
    for outsider in (parent, other_parent, teacher):
        token = csrf_token_from(outsider.get("/account").get_data(as_text=True))
        assert outsider.get("/admin/import").status_code == 403
        assert outsider.get("/admin/import/voorbeeld-import.csv").status_code == 403
        assert upload(outsider, EXAMPLE, token=token).status_code == 403
        assert outsider.post("/admin/import/confirm",
                             data={"csrf_token": token, "key": key}).status_code == 403
    assert counts(app) == before


def test_guessed_or_another_admins_keys_give_404(app, admin, login_as):
    with app.app_context(), db.connection_context():
        User.create(email="tweede.admin@example.org", display_name="Admin 2", role="admin",
                    password_hash=User.by_email("directie@example.org").password_hash)
    html = upload(admin, EXAMPLE).get_data(as_text=True)
    key = confirm_key(html)
    second = login_as("tweede.admin@example.org")
    token = csrf_token_from(second.get("/admin/import").get_data(as_text=True))
    before = counts(app)
    for guess in (key, "x" * 10_000, "1", ""):
        response = second.post("/admin/import/confirm", data={"csrf_token": token, "key": guess})
        assert response.status_code == 404
    assert counts(app) == before


def test_pages_answer_htmx_requests_with_a_whole_page(admin):
    # Only boosted navigation reaches these pages: there is no fragment to swap.
    page = admin.get("/admin/import", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
