"""The EDEXML import: preview, apply, in step with the administration, never destructive."""

import time
from datetime import timedelta

import pytest

from schoolportal.admin.models import PupilMove
from schoolportal.core import worker
from schoolportal.core.models import (
    ROLE_STAFF,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
)
from schoolportal.imports import edexml_service as service
from schoolportal.imports.models import EdexmlImport, GroupKey, PupilKey, TeacherKey
from schoolportal.imports.service import PreviewChanged
from schoolportal.invitations.models import Invitation
from tests.support.edexml import Leerkracht, Leerling, school_export, to_xml
from tests.support.web import ADMIN, TEACHER, csrf_token_from

DEMO_GROUPS = {"Groep 1/2A", "Groep 5", "Groep 8"}
TABLES = (Group, Pupil, User, GroupStaff, Guardianship, Invitation, OutboxMail, PupilMove,
          GroupKey, PupilKey, TeacherKey)


@pytest.fixture
def today(db_ctx):
    """The school's today."""
    return worker.school_today()


@pytest.fixture
def admin_user(db_ctx):
    """The director's account."""
    return User.by_email(ADMIN)


def snapshot():
    """Every row an import may touch, as comparable tuples: proves 'nothing changed'."""
    return {model.__name__: sorted(tuple(str(v) for v in row) for row in
                                   model.select().tuples()) for model in TABLES}


def counts():
    """Row counts per table."""
    return {model.__name__: model.select().count() for model in TABLES}


def apply(data, admin_user, today):
    """Preview, keep and confirm a file as the office's page does; returns the plan."""
    plan = service.preview(data, today)
    assert plan.ok, [str(m) for m in plan.file_errors + plan.errors]
    kept = service.keep_preview(plan, "EDEX.XML", admin_user)
    return service.confirm(kept, admin_user, today)


def proposed(plan):
    """The pupils of the file's groups proposed as leaving (the demo school's own are too)."""
    return [p for p in plan.leaving if p.group.name not in DEMO_GROUPS]


def pupil_by_key(key):
    """The pupil the administration knows by this key."""
    return Pupil.select().join(PupilKey, on=(PupilKey.pupil == Pupil.id)).where(
        PupilKey.key == key).get()


def test_the_preview_of_a_school_changes_nothing(today):
    data = school_export(today)
    before = snapshot()
    plan = service.preview(to_xml(data), today)
    assert plan.ok and plan.has_changes
    assert len(plan.new_groups) == 4 and len(plan.new_pupils) == 60
    assert len(plan.new_teachers) == 4
    assert plan.export.combined_groups == ["Plusgroep"]
    assert snapshot() == before


def test_apply_creates_exactly_what_the_preview_listed(today, admin_user):
    data = school_export(today)
    plan = service.preview(to_xml(data), today)
    before = counts()
    applied = apply(to_xml(data), admin_user, today)
    assert applied.digest() == plan.digest()
    after = counts()
    assert after["Group"] - before["Group"] == len(plan.new_groups) == 4
    assert after["Pupil"] - before["Pupil"] == len(plan.new_pupils) == 60
    assert after["User"] - before["User"] == len(plan.new_teachers) == 4
    assert after["GroupStaff"] - before["GroupStaff"] == 4
    assert after["Invitation"] - before["Invitation"] == 4
    assert after["OutboxMail"] - before["OutboxMail"] == 4  # the teachers' invitations
    assert after["Guardianship"] == before["Guardianship"]
    assert after["PupilMove"] == before["PupilMove"]
    for key, name, jaargroep in data.groepen:
        group = Group.get((Group.name == name) & (Group.school_year == data.schooljaar))
        assert group.sort_order == jaargroep
        assert GroupKey.get(GroupKey.group == group).key == key
    for leerling in data.leerlingen:
        pupil = pupil_by_key(leerling.key)
        assert pupil.full_name == leerling.full_name
        assert pupil.birth_date == leerling.geboortedatum
        assert pupil.group.name == dict((k, n) for k, n, _j in data.groepen)[leerling.groep]
        assert pupil.pupil_number == leerling.key  # the guardian CSV finds the pupil by it
    teacher = User.by_email("leerkracht1@example.org")
    assert teacher.role == ROLE_STAFF and teacher.password_hash is None
    assert [link.group.name for link in GroupStaff.select().where(
        GroupStaff.staff == teacher)] == ["Groep 3A"]
    assert OutboxMail.select().where(OutboxMail.to_email == teacher.email).count() == 1


def test_applying_the_same_file_again_changes_nothing(today, admin_user):
    data = to_xml(school_export(today))
    apply(data, admin_user, today)
    before = snapshot()
    again = service.preview(data, today)
    assert again.ok and not again.has_changes and again.unchanged == 60
    # Only the demo school's own pupils (not in this file) are proposed as leaving.
    assert {p.group.name for p in again.leaving} == DEMO_GROUPS and not proposed(again)
    applied = service.apply_file(data, today, "EDEX.XML")
    assert not applied.has_changes
    assert snapshot() == before


def test_a_pupil_moved_or_renamed_in_the_file_moves_and_is_renamed(today, admin_user):
    data = school_export(today)
    apply(to_xml(data), admin_user, today)
    moved, renamed = data.leerlingen[0], data.leerlingen[1]
    old_group = pupil_by_key(moved.key).group
    moved.groep = "G-2"
    renamed.roepnaam, renamed.voorvoegsel, renamed.achternaam = "Anouk", "van der", "Linden"
    plan = service.preview(to_xml(data), today)
    assert [u.line.key for u in plan.moved] == [moved.key]
    assert {u.line.key for u in plan.updated} == {moved.key, renamed.key}
    assert not plan.new_pupils and not proposed(plan)
    apply(to_xml(data), admin_user, today)
    pupil = pupil_by_key(moved.key)
    assert pupil.group.name == "Groep 4A"
    assert pupil_by_key(renamed.key).full_name == "Anouk van der Linden"
    history = list(PupilMove.history_of(pupil))
    assert [(m.from_group.name, m.to_group.name, m.via) for m in history] == [
        (old_group.name, "Groep 4A", "import")]


def test_a_pupil_missing_from_the_file_is_proposed_and_leaves_only_when_confirmed(
        ctx, admin):
    today = ctx(worker.school_today)
    admin_user = ctx(User.by_email, ADMIN)
    data = school_export(today)
    ctx(apply, to_xml(data), admin_user, today)
    gone = data.leerlingen.pop(5)
    plan = ctx(service.preview, to_xml(data), today)
    assert [p.full_name for p in proposed(plan)] == [gone.full_name]
    assert not plan.has_changes  # proposing writes nothing: there is nothing to apply
    before = ctx(snapshot)
    ctx(service.apply_file, to_xml(data), today, "EDEX.XML")
    assert ctx(snapshot) == before
    pupil = ctx(pupil_by_key, gone.key)
    assert pupil.left_on is None
    data.leerlingen[0].groep = "G-4"  # a later export with a change, still without the pupil
    ctx(apply, to_xml(data), admin_user, today)
    assert ctx(Pupil.get_by_id, pupil.id).left_on is None
    # The upload page lists the pupils the latest export left out, with their pages.
    page = admin.get("/admin/import").get_data(as_text=True)
    assert gone.full_name in page and f"/admin/pupils/{pupil.id}" in page
    # The office confirms through the existing leaving flow, on the pupil's page.
    page = admin.get(f"/admin/pupils/{pupil.id}").get_data(as_text=True)
    response = admin.post(f"/admin/pupils/{pupil.id}/leave", data={
        "left_on": today.isoformat(), "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert ctx(Pupil.get_by_id, pupil.id).left_on == today
    assert not proposed(ctx(service.preview, to_xml(data), today))
    assert f"/admin/pupils/{pupil.id}" not in admin.get("/admin/import").get_data(as_text=True)


def test_the_first_import_finds_the_portals_pupils_and_later_ones_find_them_by_key(
        today, admin_user):
    sem = Pupil.get(Pupil.pupil_number == "RB-1001")
    lotte = Pupil.get(Pupil.pupil_number == "RB-1002")
    data = school_export(today, groups=1, per_group=2, teachers=False)
    data.groepen.append(("G-12", "Groep 1/2A", 1))
    data.groepen.append(("G-5", "Groep 5", 5))
    data.leerlingen += [  # Sem by name and birth date; Lotte by her pupil number
        Leerling("9001", "Sem", "", "Jansen", sem.birth_date, "G-12"),
        Leerling("RB-1002", "Lotte", "", "Bakker", lotte.birth_date, "G-5")]
    data.leerkrachten = [Leerkracht("LK-9", "Sanne", "de Wit", TEACHER, ["G-5"])]
    plan = service.preview(to_xml(data), today)
    assert {(line.key, pupil.id) for line, pupil in plan.keyed_pupils} == {
        ("9001", sem.id), ("RB-1002", lotte.id)}
    assert {g.name for _group, g in plan.keyed_groups} == {"Groep 1/2A", "Groep 5"}
    assert [g.name for g in plan.new_groups] == ["Groep 3A"]
    apply(to_xml(data), admin_user, today)
    assert pupil_by_key("9001").id == sem.id and pupil_by_key("RB-1002").id == lotte.id
    sanne = User.by_email(TEACHER)  # an existing account: linked, not invited
    assert GroupStaff.select().where(GroupStaff.staff == sanne).count() == 2
    assert not Invitation.select().where(Invitation.user == sanne).exists()
    assert TeacherKey.get(TeacherKey.user == sanne).key == "LK-9"
    Pupil.update(first_name="Semmie").where(Pupil.id == sem.id).execute()
    again = service.preview(to_xml(data), today)
    assert [(u.pupil.id, u.line.first_name) for u in again.updated] == [(sem.id, "Sem")]
    assert not again.new_pupils


def test_a_stale_preview_is_refused_and_changes_nothing(today, admin_user):
    data = school_export(today)
    apply(to_xml(data), admin_user, today)
    data.leerlingen[0].groep = "G-2"
    plan = service.preview(to_xml(data), today)
    kept = service.keep_preview(plan, "EDEX.XML", admin_user)
    pupil = pupil_by_key(data.leerlingen[0].key)
    Pupil.update(first_name="Anders").where(Pupil.id == pupil.id).execute()  # the office, meanwhile
    before = snapshot()
    with pytest.raises(PreviewChanged) as refused:
        service.confirm(kept, admin_user, today)
    assert snapshot() == before
    assert EdexmlImport.get_by_id(kept.id).applied_at is None
    assert refused.value.plan.ok  # the fresh preview may be applied in its turn
    assert service.confirm(EdexmlImport.get_by_id(kept.id), admin_user, today) is not None
    assert pupil_by_key(data.leerlingen[0].key).group.name == "Groep 4A"
    with pytest.raises(PreviewChanged):
        service.apply_file(to_xml(data), today, "EDEX.XML", fingerprint="0" * 16)


def test_elements_are_read_whatever_the_namespace(today):
    data = school_export(today, groups=2, per_group=3)
    data.leerlingen[0].roepnaam, data.leerlingen[0].achternaam = "Zoë", "Çelik"
    plain = service.preview(to_xml(data, namespace=None), today)
    uwlr = to_xml(data, namespace="http://www.edustandaard.nl/leerresultaten/2/leerlinggegevens")
    prefixed = to_xml(data).replace(b"<EDEX xmlns=", b"<x:EDEX xmlns:x=").replace(
        b"</EDEX>", b"</x:EDEX>")
    latin = to_xml(data, encoding="ISO-8859-1")  # older exports: the declaration says how
    assert plain.ok and len(plain.new_pupils) == 6
    for other in (uwlr, prefixed, latin):
        assert service.preview(other, today).digest() == plain.digest()
    assert plain.new_pupils[0][0].full_name == "Zoë Çelik"


def test_a_file_of_another_year_or_school_is_refused(today, admin_user):
    data = school_export(today, groups=1, per_group=2)
    apply(to_xml(data), admin_user, today)
    data.brincode = "11AA00"
    assert "11AA00" in str(service.preview(to_xml(data), today).file_errors[0])
    data.brincode, data.schooljaar = "99XX00", "2001-2002"
    assert "2001-2002" in str(service.preview(to_xml(data), today).file_errors[0])


def test_a_start_date_or_the_fourth_birthday_brings_the_invitation(today, admin_user):
    from schoolportal.imports import service as csv_service

    data = school_export(today, groups=1, per_group=1, teachers=False)
    child = data.leerlingen[0]
    child.geboortedatum = today.replace(year=today.year - 4) - timedelta(days=40)
    child.instroomdatum = today + timedelta(days=10)
    apply(to_xml(data), admin_user, today)
    pupil = pupil_by_key(child.key)
    parent = User.create(email="nieuw@example.org", display_name="nieuw", role="parent")
    Guardianship.create(guardian=parent, pupil=pupil)
    assert csv_service.invite_four_year_olds(today) == 0  # 4 already, but not yet started
    assert csv_service.invite_four_year_olds(today + timedelta(days=9)) == 0
    assert csv_service.invite_four_year_olds(today + timedelta(days=10)) == 1
    assert Invitation.get(Invitation.user == parent).pupil_id == pupil.id


def test_a_school_of_1000_pupils_imports_within_ten_seconds(today):
    data = school_export(today, groups=40, per_group=25)
    started = time.perf_counter()
    plan = service.apply_file(to_xml(data), today, "EDEX.XML")
    assert time.perf_counter() - started < 10  # bench/edexml_import.py reports the figures
    assert len(plan.new_pupils) == 1000
    assert PupilKey.select().count() == 1000 and Pupil.select().count() == 1060


def test_erasing_a_family_removes_their_pupils_keys_and_previews_naming_them(today, admin_user):
    from schoolportal.family_data import erasure
    from tests.support.web import TWO_GROUP_PARENT

    yasmin = Pupil.get(Pupil.pupil_number == "RB-1003")
    data = school_export(today, groups=1, per_group=1, teachers=False)
    data.groepen.append(("G-12", "Groep 1/2A", 1))
    data.leerlingen.append(Leerling("RB-1003", "Yasmin", "", "El Mansouri", yasmin.birth_date,
                                    "G-12"))
    apply(to_xml(data), admin_user, today)
    data.leerlingen[0].groep = "G-12"  # a second preview, kept but never applied
    kept = service.keep_preview(service.preview(to_xml(data), today), "EDEX.XML", admin_user)
    assert "El Mansouri" in kept.content
    nadia = User.by_email(TWO_GROUP_PARENT)
    erasure.carry_out(erasure.schedule(nadia, "request", today))
    assert EdexmlImport.get_or_none(EdexmlImport.id == kept.id) is None
    assert not PupilKey.select().where(PupilKey.key == "RB-1003").exists()
    assert Pupil.get_or_none(Pupil.id == yasmin.id) is None
