"""The pupil import: preview, confirm, re-import, invitations now or on the 4th birthday."""

import time
from datetime import date, timedelta

import pytest

from schoolportal.core import worker
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, Guardianship, OutboxMail, Pupil, User, utcnow
from schoolportal.imports import service
from schoolportal.imports.models import PupilImport
from schoolportal.invitations import service as invitations_service
from schoolportal.invitations.models import Invitation
from tests.support.web import ADMIN, OTHER_PARENT, PARENT, TEACHER

HEADER = "leerlingnummer;voornaam;achternaam;geboortedatum;groep;email_ouder_1;email_ouder_2"


def years_before(day, years, days=0):
    """The same calendar day `years` earlier (28 February for 29 February), minus days."""
    try:
        earlier = day.replace(year=day.year - years)
    except ValueError:
        earlier = date(day.year - years, 2, 28)
    return earlier - timedelta(days=days)


def csv_file(*rows, header=HEADER):
    """The bytes of a CSV file with these rows (tuples of cells)."""
    lines = [header] + [";".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def born(day):
    """A birth date as the file writes it."""
    return day.strftime("%d-%m-%Y")


@pytest.fixture
def today(db_ctx):
    """The school's today."""
    return worker.school_today()


@pytest.fixture
def admin_user(db_ctx):
    """The director's account."""
    return User.by_email(ADMIN)


def run_import(data, admin_user, today):
    """Preview and confirm a file, as the pages do; returns the applied plan."""
    plan = service.preview(data, today)
    assert plan.ok, [(e.row, e.column, str(e.message)) for e in plan.errors + plan.file_errors]
    kept = service.keep_preview(plan, "leerlingen.csv", admin_user)
    return service.confirm(kept, admin_user, today)


def counts():
    """Row counts that an import may change."""
    return {model.__name__: model.select().count()
            for model in (Pupil, User, Guardianship, Invitation, OutboxMail)}


def mails(template=None):
    """(address, template) of every queued mail."""
    query = OutboxMail.select().order_by(OutboxMail.id)
    return [(m.to_email, m.template) for m in query if template in (None, m.template)]


def family_rows(today):
    """Two new pupils aged 6 and 5, one new parent for both, and a second parent."""
    return (
        ("N-1", "Fleur", "van Dijk", born(years_before(today, 6)), "Groep 1/2A",
         "Sanne.VanDijk@Example.org ", "tom@example.org"),
        ("N-2", "Bram", "van Dijk", born(years_before(today, 5)), "groep 1/2a",
         "sanne.vandijk@example.org", ""),
    )


def test_preview_writes_nothing_and_says_what_will_happen(today):
    before = counts()
    plan = service.preview(csv_file(*family_rows(today)), today)
    assert counts() == before
    assert plan.ok and plan.has_changes
    assert [line.number for line in plan.new_pupils] == ["N-1", "N-2"]
    assert list(plan.new_accounts) == ["sanne.vandijk@example.org", "tom@example.org"]
    assert len(plan.links) == 3
    assert {e: line.number for e, line in plan.invitations.items()} == {
        "sanne.vandijk@example.org": "N-1", "tom@example.org": "N-1"}  # one per person


def test_confirm_writes_pupils_accounts_links_and_invitations_in_dutch(today, admin_user):
    before = counts()
    plan = run_import(csv_file(*family_rows(today)), admin_user, today)
    assert len(plan.new_pupils) == 2
    after = counts()
    assert after["Pupil"] == before["Pupil"] + 2 and after["User"] == before["User"] + 2
    assert after["Guardianship"] == before["Guardianship"] + 3
    fleur = Pupil.get(Pupil.pupil_number == "N-1")
    assert (fleur.full_name, fleur.group.name) == ("Fleur van Dijk", "Groep 1/2A")
    assert sorted(mails()) == [("sanne.vandijk@example.org", "invitations/invitation"),
                               ("tom@example.org", "invitations/invitation")]
    mail = OutboxMail.get(OutboxMail.to_email == "tom@example.org")
    assert "Je uitnodiging voor het portaal van OBS De Regenboog" == mail.subject
    assert "als ouder of verzorger van Fleur" in mail.body_text
    assert "/activate/" in mail.body_text
    invitation = Invitation.get(Invitation.user == User.by_email("tom@example.org"))
    assert invitation.invited_by_id == admin_user.id and invitation.pupil_id == fleur.id
    assert User.by_email("tom@example.org").password_hash is None


def test_importing_the_same_file_again_changes_nothing_and_sends_nothing(today, admin_user):
    data = csv_file(*family_rows(today))
    run_import(data, admin_user, today)
    before = counts()
    plan = service.preview(data, today)
    assert plan.ok and not plan.has_changes
    assert len(plan.unchanged) == 2 and plan.invitations == {} and plan.notices == []
    kept = service.keep_preview(plan, "again.csv", admin_user)
    service.confirm(kept, admin_user, today)
    assert counts() == before


def test_a_changed_file_updates_and_never_duplicates(today, admin_user):
    run_import(csv_file(*family_rows(today)), admin_user, today)
    older = years_before(today, 7)
    changed = csv_file(
        ("N-1", "Fleur", "de Wit", born(older), "Groep 5", "sanne.vandijk@example.org",
         "tom@example.org"),
        family_rows(today)[1],
    )
    plan = service.preview(changed, today)
    [(line, pupil, changes)] = plan.updated
    assert [(str(c.what), c.old, c.new) for c in changes] == [
        ("naam", "Fleur van Dijk", "Fleur de Wit"),
        ("geboortedatum", born(years_before(today, 6)), born(older)),
        ("groep", "Groep 1/2A", "Groep 5"),
    ]
    before = counts()
    service.confirm(service.keep_preview(plan, "x.csv", admin_user), admin_user, today)
    assert counts() == before  # updated in place, nothing new, no mail
    fleur = Pupil.get(Pupil.pupil_number == "N-1")
    assert (fleur.last_name, fleur.birth_date, fleur.group.name) == ("de Wit", older, "Groep 5")


def test_an_activated_parent_is_told_once_and_an_existing_link_is_left_alone(today, admin_user):
    sem = Pupil.get(Pupil.pupil_number == "RB-1001")  # ouder.jansen's child
    data = csv_file(
        ("RB-1001", sem.first_name, sem.last_name, born(sem.birth_date), sem.group.name, PARENT,
         ""),
        ("N-9", "Mila", "Jansen", born(years_before(today, 3)), "Groep 1/2A", PARENT.upper(),
         ""),
    )
    plan = run_import(data, admin_user, today)
    assert [(e, line.number) for e, line in plan.notices] == [(PARENT, "N-9")]
    assert mails() == [(PARENT, "invitations/child_linked")]
    mail = OutboxMail.get()
    assert "Mila Jansen (Groep 1/2A) is nu aan je account gekoppeld" in mail.body_text
    plan = service.preview(data, today)
    assert not plan.has_changes


def test_pupil_numbers_match_without_regard_to_capitals(today, admin_user):
    sem = Pupil.get(Pupil.pupil_number == "RB-1001")
    row = ("rb-1001", sem.first_name, sem.last_name, born(sem.birth_date), "Groep 5", PARENT, "")
    plan = service.preview(csv_file(row), today)
    assert plan.new_pupils == [] and [p.id for _l, p, _c in plan.updated] == [sem.id]
    assert service.preview(csv_file(row, ("RB-1001", *row[1:])), today).errors
    before = counts()
    service.confirm(service.keep_preview(plan, "x.csv", admin_user), admin_user, today)
    assert counts() == before and Pupil.get_by_id(sem.id).group.name == "Groep 5"


def test_an_address_whose_invitation_still_works_gets_no_new_mail(today, admin_user):
    run_import(csv_file(family_rows(today)[0]), admin_user, today)
    assert len(mails()) == 2
    run_import(csv_file(family_rows(today)[1]), admin_user, today)
    assert len(mails()) == 2  # Sanne's link still works and will show Bram too
    assert Guardianship.select().join(Pupil).where(Pupil.pupil_number == "N-2").count() == 1


def test_younger_children_wait_for_their_fourth_birthday(today, admin_user):
    birthday = today + timedelta(days=10)
    data = csv_file(("Y-1", "Noor", "Yilmaz", born(years_before(birthday, 4)), "Groep 1/2A",
                     "e.yilmaz@example.org", ""))
    plan = run_import(data, admin_user, today)
    assert plan.invitations == {} and plan.waiting_days == {"e.yilmaz@example.org": birthday}
    user = User.by_email("e.yilmaz@example.org")
    assert user.password_hash is None and Guardianship.get(Guardianship.guardian == user)
    assert mails() == []
    assert service.invite_four_year_olds(birthday - timedelta(days=1)) == 0
    assert service.invite_four_year_olds(birthday) == 1
    assert mails() == [("e.yilmaz@example.org", "invitations/invitation")]
    assert "als ouder of verzorger van Noor" in OutboxMail.get().body_text
    assert service.invite_four_year_olds(birthday + timedelta(days=1)) == 0
    assert not service.preview(data, birthday).has_changes


def test_the_daily_job_catches_up_and_does_not_repeat_itself(today, admin_user):
    data = csv_file(("Y-1", "Noor", "Yilmaz", born(years_before(today, 3)), "Groep 1/2A",
                     "e.yilmaz@example.org", ""),
                    ("Y-2", "Ali", "Kaya", born(years_before(today, 3, days=-20)), "Groep 1/2A",
                     "kaya@example.org", ""))
    run_import(data, admin_user, today)
    later = today + timedelta(days=400)  # the worker did not run for a while
    # Kaya's invitation was made and then revoked by staff: the job does not send it again.
    with write_transaction():
        invitations_service.invite_many([(User.by_email("kaya@example.org"), Pupil.get(
            Pupil.pupil_number == "Y-2"))], admin_user, None)
        Invitation.update(revoked_at=utcnow()).execute()
    assert service.invite_four_year_olds(later) == 1
    assert [m for m in mails() if m[0] == "e.yilmaz@example.org"] == [
        ("e.yilmaz@example.org", "invitations/invitation")]
    with write_transaction():  # Noor's invitation expires unused: no invitation every day
        Invitation.update(expires_at=utcnow() - timedelta(days=1)).execute()
    assert service.invite_four_year_olds(later + timedelta(days=20)) == 0


def test_the_daily_job_leaves_demo_families_and_pupils_who_left_alone(today, admin_user):
    # The demo has parents who never activated, linked while their child was 4 already.
    uninvited = User.select().where(User.password_hash.is_null()).count()
    assert uninvited > 0
    assert service.invite_four_year_olds(today) == 0
    run_import(csv_file(("Y-1", "Noor", "Yilmaz", born(years_before(today, 3)), "Groep 1/2A",
                         "e.yilmaz@example.org", "")), admin_user, today)
    Pupil.update(left_on=today).where(Pupil.pupil_number == "Y-1").execute()
    assert service.invite_four_year_olds(today + timedelta(days=400)) == 0
    assert mails() == []


def test_the_daily_jobs_are_registered_with_the_worker(today):
    assert {"invite-four-year-olds", "forget-import-previews"} <= set(worker.DAILY_JOBS)
    assert "invite-four-year-olds" in worker.run_daily_jobs(today)


def test_addresses_of_staff_or_deactivated_accounts_are_row_errors(today):
    User.update(active=False).where(User.email == OTHER_PARENT).execute()
    plan = service.preview(csv_file(
        ("N-1", "Fleur", "Dijk", born(years_before(today, 6)), "Groep 5", TEACHER, OTHER_PARENT),
    ), today)
    assert [(e.row, e.column, str(e.message)) for e in plan.errors] == [
        (2, "email_ouder_1", "Dit adres hoort bij een account met een andere rol."),
        (2, "email_ouder_2", "Dit adres hoort bij een uitgeschakeld account."),
    ]
    assert not plan.has_changes


def test_groups_must_exist_in_this_school_year(today):
    Group.create(name="Groep 3", school_year="2000-2001")
    plan = service.preview(csv_file(
        ("N-1", "Fleur", "Dijk", born(years_before(today, 6)), "  GROEP  1/2a ", "", ""),
        ("N-2", "Bram", "Dijk", born(years_before(today, 6)), "Groep 3", "", ""),
    ), today)
    [error] = plan.errors
    assert (error.row, error.column) == (3, "groep")
    assert str(error.message).startswith("Er is geen groep “Groep 3” in schooljaar ")
    assert Group.select().count() == 4  # nothing created


def test_the_same_pupil_number_twice_is_an_error_in_the_second_row(today):
    row = ("N-1", "Fleur", "Dijk", born(years_before(today, 6)), "Groep 5", "", "")
    plan = service.preview(csv_file(row, row), today)
    assert [(e.row, e.column, str(e.message)) for e in plan.errors] == [
        (3, "leerlingnummer", "Leerlingnummer N-1 staat ook in rij 2.")]


def test_confirming_twice_imports_once(today, admin_user):
    plan = service.preview(csv_file(*family_rows(today)), today)
    kept = service.keep_preview(plan, "x.csv", admin_user)
    assert service.confirm(kept, admin_user, today) is not None
    before = counts()
    assert service.confirm(kept, admin_user, today) is None
    assert counts() == before
    assert PupilImport.get_by_id(kept.id).content == ""  # the file is not kept after use


def test_a_preview_that_went_stale_is_not_applied(today, admin_user):
    data = csv_file(*family_rows(today))
    kept = service.keep_preview(service.preview(data, today), "x.csv", admin_user)
    run_import(csv_file(family_rows(today)[0]), admin_user, today)  # someone else, meanwhile
    before = counts()
    with pytest.raises(service.PreviewChanged) as caught:
        service.confirm(kept, admin_user, today)
    assert counts() == before
    assert [line.number for line in caught.value.plan.new_pupils] == ["N-2"]
    kept = PupilImport.get_by_id(kept.id)
    assert kept.applied_at is None and kept.content  # may be confirmed as it is now
    assert service.confirm(kept, admin_user, today) is not None
    assert Pupil.select().where(Pupil.pupil_number.in_(["N-1", "N-2"])).count() == 2


def test_unconfirmed_uploads_are_forgotten_after_a_day(today, admin_user):
    plan = service.preview(csv_file(*family_rows(today)), today)
    old = service.keep_preview(plan, "old.csv", admin_user)
    fresh = service.keep_preview(plan, "fresh.csv", admin_user)
    PupilImport.update(created_at=utcnow() - timedelta(hours=25)).where(
        PupilImport.id == old.id).execute()
    assert service.forget_old_previews() == 1
    assert [p.id for p in PupilImport.select()] == [fresh.id]


def big_file(today, pupils=500, emails=900):
    """500 pupils with 900 guardian addresses in all; every tenth pupil is 3 years old."""
    groups = ["Groep 1/2A", "Groep 5", "Groep 8"]
    rows, used = [], 0
    for n in range(pupils):
        count = 2 if used + 2 + (pupils - n - 1) <= emails else 1
        addresses = [f"ouder{used + k}@gezin.example.org" for k in range(count)]
        used += count
        age = 3 if n % 10 == 0 else 4 + n % 8
        rows.append((f"B-{n:04d}", f"Kind{n}", f"Achternaam {n}",
                     born(years_before(today, age, days=n % 300)), groups[n % 3],
                     *addresses, *[""] * (2 - count)))
    assert used == emails
    return csv_file(*rows)


@pytest.fixture
def statements(db_ctx, monkeypatch):
    """The SQL statements the database runs from now on."""
    seen, execute_sql = [], db_ctx.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return execute_sql(sql, params, *args, **kwargs)

    monkeypatch.setattr(db_ctx.obj, "execute_sql", counting)
    return seen


def test_a_school_sized_file_imports_in_seconds_and_again_changes_nothing(
        today, admin_user, statements):
    data = big_file(today)
    started = time.perf_counter()
    plan = service.preview(data, today)
    preview_statements = len(statements)
    kept = service.keep_preview(plan, "school.csv", admin_user)
    service.confirm(kept, admin_user, today)
    first = time.perf_counter() - started
    assert (len(plan.new_pupils), len(plan.links)) == (500, 900)
    assert OutboxMail.select().count() == len(plan.invitations) > 700
    # No query per row: a handful to read, a batch per 100 rows to write, one per mail.
    # (Rendering a mail also reads the school's name, twice: the app's template globals.)
    mail_inserts = [sql for sql in statements if sql.startswith('INSERT INTO "outbox_mail"')]
    others = [sql for sql in statements if sql not in mail_inserts and 'FROM "school"' not in sql]
    assert preview_statements <= 10
    assert len(mail_inserts) == len(plan.invitations)
    assert len(others) < 60
    before = counts()
    started = time.perf_counter()
    again = service.preview(data, today)
    service.confirm(service.keep_preview(again, "again.csv", admin_user),
                         admin_user, today)
    second = time.perf_counter() - started
    print(f"\nimport of 500 pupils / 900 addresses: preview+apply {first:.2f} s "
          f"({len(others)} statements + {len(mail_inserts)} mails); "
          f"the same file again {second:.2f} s")
    assert first < 10
    assert not again.has_changes and counts() == before
