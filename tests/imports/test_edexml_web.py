"""The EDEXML import through the office's page and the command line; unsafe and wrong files."""

import gzip
import io
import re

import pytest

from schoolportal.core.models import Group, Pupil
from schoolportal.imports import edexml_service as service
from schoolportal.imports.models import EdexmlImport
from tests.imports.test_edexml import TABLES, snapshot
from tests.support.edexml import school_export, to_xml
from tests.support.web import csrf_token_from

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<EDEX><school><schooljaar>2026-2027</schooljaar></school><groepen/>
<leerlingen><leerling key="1"><achternaam>&secret;</achternaam><roepnaam>X</roepnaam>
<geboortedatum>2019-01-01</geboortedatum></leerling></leerlingen></EDEX>"""
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<EDEX><leerlingen><leerling key="1"><achternaam>&lol9;</achternaam></leerling>
</leerlingen></EDEX>"""
UNSAFE = "bevat een DTD of entiteiten"


@pytest.fixture
def today(ctx):
    """The school's today."""
    from schoolportal.core import worker

    return ctx(worker.school_today)


def upload(client, data, file_name="EDEX.XML", htmx=False):
    """Post a file to the EDEXML form, with the token from the rendered page."""
    page = client.get("/admin/import").get_data(as_text=True)
    token = re.search(r'id="imports-edexml-upload".*?name="csrf_token"[^>]*value="([^"]+)"',
                      page, re.S).group(1)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/admin/import/edexml", headers=headers, content_type="multipart/form-data",
                       data={"csrf_token": token, "edexml-file": (io.BytesIO(data), file_name)})


def apply_button(client, preview_html, htmx=False):
    """Press "Import now" on a preview."""
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', preview_html).group(1)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/admin/import/edexml/apply", headers=headers, data={
        "key": key, "csrf_token": csrf_token_from(preview_html)})


def test_upload_preview_and_apply_with_plain_forms(admin, ctx, today):
    data = to_xml(school_export(today))
    before = ctx(snapshot)
    preview = upload(admin, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<html" in html
    assert "Wat het importeren van dit bestand doet" in html and "Groep 3A" in html
    assert ctx(snapshot) == before  # the preview changes nothing
    done = apply_button(admin, html)
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/import")
    page = admin.get("/admin/import").get_data(as_text=True)
    assert "60 nieuwe leerlingen" in page
    assert ctx(Pupil.select().count) == 60 + 60
    again = apply_button(admin, html)  # the back button and a second click
    assert again.status_code == 302
    assert ctx(Pupil.select().count) == 120
    assert "al geïmporteerd" in admin.get("/admin/import").get_data(as_text=True)


def test_with_htmx_the_card_is_swapped_and_the_flash_comes_along(admin, ctx, today):
    data = to_xml(school_export(today, groups=2, per_group=3))
    preview = upload(admin, data, htmx=True)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="imports-edexml"')
    done = apply_button(admin, html, htmx=True)
    assert done.status_code == 302
    card = admin.get(done.headers["Location"], headers={"HX-Request": "true"})
    body = card.get_data(as_text=True)
    assert "<html" not in body and 'id="imports-edexml"' in body
    assert "6 nieuwe leerlingen" in body and 'hx-target="#flash-messages"' in body
    assert card.headers["Vary"] and "HX-Request" in card.headers["Vary"]


def test_others_cannot_see_or_apply_an_import(admin, parent, teacher, ctx, today):
    html = upload(admin, to_xml(school_export(today, groups=1, per_group=2))).get_data(
        as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    for client in (parent, teacher):
        page = client.get("/account").get_data(as_text=True)
        response = client.post("/admin/import/edexml/apply", data={
            "key": key, "csrf_token": csrf_token_from(page)})
        assert response.status_code in (403, 404)
        assert client.get("/admin/import").status_code in (403, 404)
    forged = admin.post("/admin/import/edexml/apply", data={
        "key": "x" * 43, "csrf_token": csrf_token_from(html)})
    assert forged.status_code == 404
    assert ctx(EdexmlImport.get, EdexmlImport.key == key).applied_at is None


@pytest.mark.parametrize("data, message", [
    (XXE, UNSAFE),
    (BOMB, UNSAFE),
    (b"leerlingnummer;voornaam;achternaam\n1;Sem;Jansen\n", "Dit is een CSV-bestand"),
    (b"0000123456Jansen              Sem       20190101 G1\n"
     b"0000123457Bakker              Lotte     20170505 G5\n", "EDEX2000"),
    (b'<?xml version="1.0"?>\n<EDEX>\n<leerlingen>\n<leerling key="1">\n</leerlingen>\n</EDEX>',
     "regel 5"),
    (b"", "leeg"),
    (b'<?xml version="1.0"?><html><body>hallo</body></html>', "geen EDEXML"),
])
def test_unsafe_and_wrong_files_are_refused_with_a_message_and_change_nothing(
        admin, ctx, data, message):
    before = ctx(snapshot)
    response = upload(admin, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html, re.sub(r"\s+", " ", html)[-3000:]
    assert "/etc/passwd" not in html and "root:" not in html
    assert ctx(snapshot) == before
    assert ctx(EdexmlImport.select().count) == 0


def test_a_50_mb_file_is_refused_with_a_message_and_changes_nothing(admin, ctx, tmp_path,
                                                                    app):
    before = ctx(snapshot)
    big = b'<?xml version="1.0"?><EDEX><leerlingen>' + b" " * (50 * 1024 * 1024) + b"</EDEX>"
    response = upload(admin, big)
    assert response.status_code == 422
    assert "groter dan 10 MB" in response.get_data(as_text=True)
    path = tmp_path / "EDEX.XML"
    path.write_bytes(big)
    result = app.test_cli_runner().invoke(args=["import-edexml", str(path), "--apply"])
    assert result.exit_code == 1 and "groter dan 10 MB" in result.output
    assert ctx(snapshot) == before


def test_the_command_line_previews_then_applies_with_the_fingerprint(app, ctx, tmp_path,
                                                                     today):
    data = school_export(today)
    path = tmp_path / "EDEX.XML"
    path.write_bytes(to_xml(data))
    runner = app.test_cli_runner()
    before = ctx(snapshot)
    shown = runner.invoke(args=["import-edexml", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "Nieuwe leerlingen (60)" in shown.output and "Groep 3A" in shown.output
    assert "Nieuwe leerkrachten" in shown.output and "leerkracht1@example.org" in shown.output
    assert ctx(snapshot) == before
    fingerprint = re.search(r"--fingerprint ([0-9a-f]{16})", shown.output).group(1)
    data.leerlingen[0].groep = "G-2"  # the file changed after the preview
    path.write_bytes(to_xml(data))
    stale = runner.invoke(args=["import-edexml", str(path), "--apply",
                                "--fingerprint", fingerprint])
    assert stale.exit_code == 1 and "niets geïmporteerd" in stale.output
    assert ctx(snapshot) == before
    applied = runner.invoke(args=["import-edexml", str(path), "--apply"])
    assert applied.exit_code == 0 and "Toegepast" in applied.output
    assert ctx(Group.select().where(Group.name == "Groep 3A").count) == 1
    again = runner.invoke(args=["import-edexml", str(path), "--apply"])
    assert "Er is niets gewijzigd" in again.output
    assert len(TABLES) > 5


def test_the_pages_stay_light_for_a_school_of_1000_pupils(admin, ctx, today):
    from tests.support.queries import QueryCounter, statements_for
    from tests.support.weight import LIMIT, first_load_bytes

    data = school_export(today, groups=40, per_group=25)
    with QueryCounter() as counter:
        preview = upload(admin, to_xml(data))
    html = preview.get_data()
    assert preview.status_code == 200 and len(gzip.compress(html)) <= 14 * 1024
    print(f"preview of 1,000 pupils: {counter.count} statements (with the upload page's GET), "
          f"{len(gzip.compress(html))} bytes gzip")
    apply_button(admin, html.decode())
    del data.leerlingen[:150]  # a later export leaves 150 pupils out
    ctx(service.apply_file, to_xml(data), today, "EDEX.XML")
    assert statements_for(admin, "/admin/import") <= 10
    page = admin.get("/admin/import").get_data()
    assert len(gzip.compress(page)) <= 14 * 1024
    assert first_load_bytes(admin, "/admin/import") <= LIMIT


def test_the_example_file_downloads_and_reads(admin, parent):
    response = admin.get("/admin/import/voorbeeld-edex.xml")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    preview = upload(admin, response.get_data(), "voorbeeld-edex.xml")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Nieuw: Groep 4" in html and "Fatima Bouali" in html
    assert parent.get("/admin/import/voorbeeld-edex.xml").status_code in (403, 404)
