"""The audit log says in words what an entry is about, never an internal code."""

from tests.support.web import TEACHER


def test_a_teachers_absence_overview_reads_as_words(admin, login_as):
    login_as(TEACHER).get("/afwezigheid")  # recorded: absence_view of the teacher's overview
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "Afwezigheidsoverzicht van de groepen van de leerkracht" in html
    entries = html[html.index('id="privacy-admin-audit"'):]
    assert "absence_overview" not in entries and "absence_view" not in entries
