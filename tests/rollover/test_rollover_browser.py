"""The school-year rollover in Chromium: preview, an exception, apply, the archive; axe."""

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil
from tests.support.browser import DESKTOP, PHONE, assert_no_axe_violations, expect, log_in, path_of
from tests.support.web import ADMIN, TEACHER


def _lotte(app):
    """Lotte Bakker's pupil id (Groep 5)."""
    with app.app_context(), db.connection_context():
        return Pupil.get(Pupil.pupil_number == "RB-1002").id


def _group_of(app, pupil_id):
    """(group name, archived) of a pupil's group now."""
    with app.app_context(), db.connection_context():
        group = Group.get_by_id(Pupil.get_by_id(pupil_id).group_id)
        return group.name, group.archived_at is not None


# axe runs with JavaScript on (it is injected as a script); without it, the same forms work.
@pytest.mark.parametrize("java_script_enabled", [True, False])
def test_admin_checks_an_exception_applies_and_teacher_reads_the_archive(
        app, new_page, java_script_enabled):
    lotte = _lotte(app)
    check_axe = assert_no_axe_violations if java_script_enabled else (lambda page: None)
    admin = new_page(java_script_enabled=java_script_enabled, viewport=DESKTOP)
    log_in(admin, ADMIN, then="/rollover")
    check_axe(admin)
    admin.select_option(f"#pupil-{lotte}", "repeat")
    admin.get_by_role("button", name="Wijzigingen controleren").click()
    row = admin.locator(f"tr[data-pupil='{lotte}']")
    expect(row).to_have_attribute("data-to", "Groep 5")
    expect(admin.locator(f"#pupil-{lotte}")).to_have_value("repeat")
    check_axe(admin)
    admin.get_by_role("button", name="Doorschuiven naar").click()
    admin.locator(".flash--success").wait_for()
    assert path_of(admin) == "/rollover"
    assert _group_of(app, lotte) == ("Groep 5", False)
    assert admin.errors == []

    teacher = new_page(java_script_enabled=java_script_enabled, viewport=PHONE)
    log_in(teacher, TEACHER, then="/archive")
    expect(teacher.locator("h1")).to_have_text("Archief")
    check_axe(teacher)
    teacher.locator("main a", has_text="Groep 1/2A").click()
    expect(teacher.locator("h1")).to_have_text("Groep 1/2A")
    expect(teacher.get_by_role("link", name="Nieuw bericht")).to_have_count(0)
    assert teacher.errors == []
