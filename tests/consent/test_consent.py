"""Photo consent: the default categories, parents' choices (plain and htmx), history, audit,
the teachers' mail and home panel, the staff overview, category admin and the demo."""

import json
import re
import secrets

import pytest

from schoolportal.albums import policy as albums_policy
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.consent import reminder, service
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.core import database, worker
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import AuditEntry, Group, OutboxMail, Pupil, User
from tests.conftest import _config
from tests.support.web import (
    ADMIN,
    OTHER_PARENT,
    OTHER_TEACHER,
    PARENT,
    TEACHER,
    TWO_GROUP_PARENT,
    csrf_token_from,
    run_worker,
)

PAGE = "/toestemming"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def default_categories(app):
    """The six categories of migration 016 (PostgreSQL test runs truncate them away)."""
    with app.app_context(), db.connection_context(), write_transaction():
        service.install_default_categories()


def _read(app, function):
    """Run a function with a database connection and return its result."""
    with app.app_context(), db.connection_context():
        return function()


def _ids(app, first_name="Sem", key="portal_group"):
    """(pupil id, category id) of a demo child and a category key."""
    return _read(app, lambda: (Pupil.get(Pupil.first_name == first_name).id,
                               ConsentCategory.get(ConsentCategory.key == key).id))


def _state(app, pupil_id, category_id):
    """The stored choice: True, False or None (no row)."""
    row = _read(app, lambda: Consent.get_or_none(
        (Consent.pupil == pupil_id) & (Consent.category == category_id)))
    return None if row is None else row.granted


def _changes(app):
    """Every recorded change, oldest first."""
    return _read(app, lambda: list(ConsentChange.select().order_by(ConsentChange.id)))


def _choose(client, pupil_id, category_id, value, headers=None, token=True):
    """Press a yes/no button on the parent's page (CSRF token read from the page)."""
    data = {"granted": value, "next": PAGE}
    if token:
        data["csrf_token"] = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    return client.post(f"{PAGE}/{pupil_id}/{category_id}", data=data, headers=headers or {})


def _set(app, first_name, key, granted, email=PARENT):
    """A choice stored through the domain."""
    def store():
        pupil = Pupil.get(Pupil.first_name == first_name)
        category = ConsentCategory.get(ConsentCategory.key == key)
        return service.set_choice(pupil, category, granted, User.by_email(email))
    return _read(app, store)


# --- migration 016 ------------------------------------------------------------------------

def test_migrating_an_empty_database_gives_the_six_default_categories(tmp_path):
    app = __import__("schoolportal").create_app(_config(f"sqlite:///{tmp_path / 'new.db'}"))
    with app.app_context(), db.connection_context():
        database.migrate()
        rows = [(c.key, c.space, c.active) for c in service.categories()]
    assert rows == [("portal_group", "group", True), ("portal_school", "school", True),
                    ("website", None, True), ("social_media", None, True),
                    ("newsletter", None, True), ("press", None, True)]


def test_category_names_are_stored_school_text(app, parent):
    html = parent.get(PAGE).get_data(as_text=True)
    assert "Besloten ouderportaal (groep)" in html and "Pers (lokale krant)" in html


# --- the domain ---------------------------------------------------------------------------

def test_a_change_is_recorded_with_who_when_old_and_new_and_audited(app):
    pupil_id, category_id = _ids(app)
    first = _set(app, "Sem", "portal_group", True)
    second = _set(app, "Sem", "portal_group", False)
    assert _state(app, pupil_id, category_id) is False
    changes = _changes(app)
    assert [(c.old_value, c.new_value) for c in changes] == [(None, True), (True, False)]
    assert [c.id for c in changes] == [first.id, second.id]
    jansen = _read(app, lambda: User.by_email(PARENT).id)
    assert all(c.changed_by_id == jansen and c.changed_at for c in changes)
    entries = _read(app, lambda: list(AuditEntry.select().where(
        AuditEntry.action == "consent_change").order_by(AuditEntry.id)))
    assert [(e.subject_type, e.subject_id, e.actor_id) for e in entries] == [
        ("pupil", pupil_id, jansen)] * 2
    assert json.loads(entries[1].details) == {"category": "portal_group", "old": True,
                                              "new": False}


def test_the_same_choice_again_records_nothing(app):
    _set(app, "Sem", "website", True)
    assert _set(app, "Sem", "website", True) is None
    assert len(_changes(app)) == 1
    assert _read(app, lambda: OutboxMail.select().where(
        OutboxMail.template == "consent/changed").count()) == 1


def test_teachers_who_want_no_mail_are_not_mailed(app):
    _read(app, lambda: User.update(mail_notifications="never").where(
        User.email == TEACHER).execute())
    _set(app, "Sem", "press", True)
    assert _read(app, lambda: OutboxMail.select().count()) == 0
    assert len(_changes(app)) == 1


def test_two_guardians_choosing_at_once_record_one_change(app):
    import threading

    pupil_id, category_id = _ids(app)
    results, barrier = [], threading.Barrier(2)

    def choose():
        with app.app_context(), db.connection_context():
            pupil, category = Pupil.get_by_id(pupil_id), ConsentCategory.get_by_id(category_id)
            barrier.wait()
            results.append(service.set_choice(pupil, category, False, User.by_email(PARENT)))

    threads = [threading.Thread(target=choose) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r is None for r in results) == [False, True]
    assert [(c.old_value, c.new_value) for c in _changes(app)] == [(None, False)]


# --- the parent's page --------------------------------------------------------------------

def test_parent_page_lists_each_child_and_says_no_choice_is_no_consent(login_as, app):
    html = login_as(TWO_GROUP_PARENT).get(PAGE).get_data(as_text=True)
    assert "Toestemming beeldmateriaal" in html
    assert "Yasmin El Mansouri" in html and "Adam El Mansouri" in html
    assert "Niet gekozen betekent geen toestemming" in html
    yasmin, category = _ids(app, "Yasmin")
    assert f'id="consent-row-{yasmin}-{category}"' in html
    assert 'href="/toestemming"' in html  # in the menu


def test_parent_home_reminds_of_choices_not_made(app, parent):
    assert "Sem: 6 keuzes nog niet gemaakt" in parent.get("/").get_data(as_text=True)
    for key in ("portal_group", "portal_school", "website", "social_media", "newsletter"):
        _set(app, "Sem", key, key != "website")
    assert "Sem: 1 keuze nog niet gemaakt" in parent.get("/").get_data(as_text=True)
    _set(app, "Sem", "press", False)
    assert 'id="consent-parent-heading"' not in parent.get("/").get_data(as_text=True)


def test_plain_toggle_redirects_back_and_shows_the_choice(app, parent):
    pupil_id, category_id = _ids(app)
    response = _choose(parent, pupil_id, category_id, "yes")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}#consent-row-{pupil_id}-{category_id}"
    assert _state(app, pupil_id, category_id) is True
    html = parent.get(PAGE).get_data(as_text=True)
    assert "je geeft toestemming voor Sem" in html
    row = re.search(rf'<li id="consent-row-{pupil_id}-{category_id}".*?</li>', html, re.S).group(0)
    assert "Toestemming intrekken" in row and "Toestemming geven" not in row


def test_htmx_toggle_returns_only_the_row(app, parent):
    pupil_id, category_id = _ids(app)
    _choose(parent, pupil_id, category_id, "yes")
    response = _choose(parent, pupil_id, category_id, "no", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith(f'<li id="consent-row-{pupil_id}-{category_id}"')
    assert "je geeft geen toestemming voor Sem" in html and "Toestemming geven" in html
    assert _state(app, pupil_id, category_id) is False
    assert response.headers["Vary"].count("HX-Request") >= 1


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_value_other_than_yes_or_no_is_422_and_changes_nothing(app, parent, headers):
    pupil_id, category_id = _ids(app)
    response = _choose(parent, pupil_id, category_id, "maybe", headers=headers)
    assert response.status_code == 422
    assert "Kies ja of nee. Er is niets veranderd." in response.get_data(as_text=True)
    assert ("<html" in response.get_data(as_text=True)) == (not headers)
    assert _state(app, pupil_id, category_id) is None and _changes(app) == []


def test_missing_csrf_token_is_400_and_changes_nothing(app, parent):
    pupil_id, category_id = _ids(app)
    response = _choose(parent, pupil_id, category_id, "yes", token=False)
    assert response.status_code == 400
    assert _state(app, pupil_id, category_id) is None and _changes(app) == []


def test_unknown_or_deactivated_category_is_404(app, parent):
    pupil_id, category_id = _ids(app)
    assert _choose(parent, pupil_id, 999999, "yes").status_code == 404
    assert _choose(parent, pupil_id, 10**30, "yes").status_code == 404
    _read(app, lambda: ConsentCategory.update(active=False).where(
        ConsentCategory.id == category_id).execute())
    assert _choose(parent, pupil_id, category_id, "yes").status_code == 404
    assert "Besloten ouderportaal (groep)" not in parent.get(PAGE).get_data(as_text=True)
    assert _changes(app) == []


def test_another_family_cannot_choose_or_read_for_sem(app, other_parent, teacher):
    pupil_id, category_id = _ids(app)
    group = _read(app, lambda: Group.get(Group.name == "Groep 1/2A").id)
    assert _choose(other_parent, pupil_id, category_id, "yes").status_code == 404
    assert other_parent.get(f"{PAGE}/leerling/{pupil_id}").status_code == 404
    assert other_parent.get(f"{PAGE}/groep/{group}").status_code == 404
    assert "Sem" not in other_parent.get(PAGE).get_data(as_text=True)
    # Staff read choices but do not make them for the parents.
    assert _choose(teacher, pupil_id, category_id, "yes").status_code == 403
    assert _changes(app) == []


def test_overview_of_group_1_2a_is_404_for_other_groups_and_parents(app, login_as):
    group = _read(app, lambda: Group.get(Group.name == "Groep 1/2A").id)
    assert login_as(OTHER_PARENT).get(f"{PAGE}/groep/{group}").status_code == 404
    assert login_as(PARENT).get(f"{PAGE}/groep/{group}").status_code == 404  # staff only
    assert login_as(OTHER_TEACHER).get(f"{PAGE}/groep/{group}").status_code == 404
    assert login_as(OTHER_TEACHER).get(f"{PAGE}/groep/999999").status_code == 404


# --- teachers: mail, home panel, overview, history ------------------------------------------

def test_teacher_is_mailed_through_smtp_and_sees_the_change_at_home(app, parent, teacher,
                                                                    smtp_server):
    pupil_id, category_id = _ids(app)
    _choose(parent, pupil_id, category_id, "yes")
    _choose(parent, pupil_id, category_id, "no")
    run_worker(app)
    mails = smtp_server.to(TEACHER)
    assert len(mails) == 2 and smtp_server.to(OTHER_TEACHER) == []
    assert mails[1]["Subject"] == "Toestemming beeldmateriaal gewijzigd: Sem Jansen"
    text = mails[1].get_body(("plain",)).get_content()
    assert "Eva Jansen heeft de toestemming beeldmateriaal voor Sem Jansen (Groep 1/2A)" in text
    assert "Besloten ouderportaal (groep)" in text and "Was: Ja" in text and "Nu: Nee" in text
    assert "mogelijk niet meer getoond" in text
    home = teacher.get("/").get_data(as_text=True)
    panel = re.search(r'<section class="card" id="consent-home".*?</section>', home, re.S)
    assert panel and "Sem Jansen" in panel.group(0) and "Toestemming beeldmateriaal" in home


def test_english_speaking_teacher_gets_the_mail_in_english(app, parent, smtp_server):
    _read(app, lambda: User.update(language="en").where(User.email == TEACHER).execute())
    pupil_id, category_id = _ids(app)
    _choose(parent, pupil_id, category_id, "yes")
    run_worker(app)
    [mail] = smtp_server.to(TEACHER)
    assert mail["Subject"] == "Photo consent changed: Sem Jansen"
    assert "has changed the photo consent for Sem Jansen" in mail.get_body(
        ("plain",)).get_content()


def _photos_of_sem(app):
    """A Groep 1/2A album with a photo of Sem and one of nobody; returns their ids."""
    def make():
        group = Group.get(Group.name == "Groep 1/2A")
        album = Album.create(title="Herfstwandeling", group=group)
        tagged, untagged = (Photo.create(album=album, stem=secrets.token_hex(16),
                                         widths="320", width=320, height=240,
                                         caption=caption)
                            for caption in ("Sem bij de eikels", "Het bos"))
        PhotoTag.create(photo=tagged, pupil=Pupil.get(Pupil.first_name == "Sem"))
        return tagged.id, untagged.id
    return _read(app, make)


def test_withdrawal_hides_the_photo_at_once_and_lists_it_for_the_teacher(app, parent, teacher):
    tagged, untagged = _photos_of_sem(app)
    pupil_id, category_id = _ids(app)
    _choose(parent, pupil_id, category_id, "yes")

    def seen_by_other_parent():
        return sorted(p.id for p in albums_policy.visible_photos(User.by_email(TWO_GROUP_PARENT)))

    assert _read(app, seen_by_other_parent) == sorted([tagged, untagged])
    _choose(parent, pupil_id, category_id, "no")
    assert _read(app, seen_by_other_parent) == [untagged]
    group = _read(app, lambda: Group.get(Group.name == "Groep 1/2A").id)
    for html in (teacher.get(f"{PAGE}/groep/{group}").get_data(as_text=True),
                 teacher.get("/").get_data(as_text=True)):
        assert f'href="/albums/photos/{tagged}"' in html and "Sem bij de eikels" in html
        assert f"/albums/photos/{untagged}" not in html


def test_overview_shows_yes_no_and_not_chosen_per_pupil(app, teacher, admin):
    _set(app, "Sem", "portal_group", True)
    _set(app, "Yasmin", "portal_group", False, email=TWO_GROUP_PARENT)
    group = _read(app, lambda: Group.get(Group.name == "Groep 1/2A").id)
    for client in (teacher, admin):
        html = client.get(f"{PAGE}/groep/{group}").get_data(as_text=True)
        sem, yasmin = (re.search(rf'<tr id="consent-pupil-\d+">\s*<th scope="row"><a [^>]*>'
                                 rf'{name}.*?</tr>', html, re.S).group(0)
                       for name in ("Sem Jansen", "Yasmin"))
        assert sem.count(">Ja<") == 1 and sem.count(">Niet gekozen<") == 5
        assert yasmin.count(">Nee<") == 1
        assert "Lotte Bakker" not in html  # Groep 5
        assert re.search(r"/static/css/consent\.css\?v=[0-9a-f]{10}", html)


def test_history_page_shows_who_when_and_old_to_new(app, teacher, parent):
    _set(app, "Sem", "website", True)
    _set(app, "Sem", "website", False)
    pupil_id, _category = _ids(app)
    for client in (teacher, parent):
        html = client.get(f"{PAGE}/leerling/{pupil_id}").get_data(as_text=True)
        assert html.count("Eva Jansen") == 2 and "Schoolwebsite" in html
        assert "<time datetime=" in html and ">Niet gekozen<" in html


def test_staff_index_lists_only_own_groups(app, teacher, admin):
    html = teacher.get(PAGE).get_data(as_text=True)
    assert "Groep 1/2A" in html and "Groep 5" not in html
    assert "Toestemmingscategorieën beheren" not in html
    assert "Toestemmingscategorieën beheren" in admin.get(PAGE).get_data(as_text=True)


# --- category administration -----------------------------------------------------------------

def _admin_post(client, url, **data):
    """Send the category form (CSRF token read from the categories page)."""
    token = csrf_token_from(client.get(f"{PAGE}/categorieen").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_admin_adds_renames_and_deactivates_a_category(app, admin, parent):
    response = _admin_post(admin, f"{PAGE}/categorieen", key="school_trip",
                           name="Schoolreis-film", description="Een film van de schoolreis.",
                           space="", active="y")
    assert response.status_code == 302
    category = _read(app, lambda: ConsentCategory.get(ConsentCategory.key == "school_trip"))
    assert category.space is None and category.position > 60
    assert "Schoolreis-film" in parent.get(PAGE).get_data(as_text=True)
    response = _admin_post(admin, f"{PAGE}/categorieen/{category.id}", name="Film schoolreis",
                           description="", space="school")
    assert response.status_code == 302
    changed = _read(app, lambda: ConsentCategory.get_by_id(category.id))
    assert (changed.name, changed.space, changed.active) == ("Film schoolreis", "school", False)
    assert "Film schoolreis" not in parent.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"key": "website", "name": "Nog een website"}, "Een andere categorie heeft deze sleutel"),
    ({"key": "Bad Key!", "name": "x"}, "kleine letters"),
    ({"key": "ok_key", "name": ""}, "Geef de categorie een naam"),
    ({"key": "ok_key", "name": "x", "space": "everywhere"}, ""),
])
def test_bad_category_input_is_422_and_adds_nothing(app, admin, data, message):
    before = _read(app, lambda: ConsentCategory.select().count())
    response = _admin_post(admin, f"{PAGE}/categorieen", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _read(app, lambda: ConsentCategory.select().count()) == before


def test_only_admins_manage_categories(app, teacher, parent):
    category = _ids(app)[1]
    for client in (teacher, parent):
        assert client.get(f"{PAGE}/categorieen").status_code == 403
        assert client.get(f"{PAGE}/categorieen/{category}").status_code == 403


# --- demo --------------------------------------------------------------------------------------

def test_demo_consent_is_varied_has_history_and_is_seeded_once(app, db_ctx):
    from schoolportal.consent.demo import seed as seed_consent

    for _ in range(2):
        with write_transaction():
            seed_consent(None)
    sem = Pupil.get(Pupil.first_name == "Sem")
    group_key = ConsentCategory.get(ConsentCategory.key == "portal_group")
    assert Consent.get(pupil=sem, category=group_key).granted is True
    values = [c.granted for c in Consent.select()]
    assert values.count(True) > values.count(False) > 0
    assert Consent.select().count() < Pupil.select().count() * 6  # some not chosen
    assert ConsentChange.select().count() > Consent.select().count()  # withdrawals too
    assert ConsentChange.select().where(ConsentChange.old_value == True).count() >= 1  # noqa: E712


# --- the office records a paper consent form -----------------------------------------------

def test_the_office_records_a_paper_form_with_its_own_name_and_the_teacher_is_told(app, admin):
    pupil_id, category_id = _ids(app)
    page_url = f"{PAGE}/leerling/{pupil_id}"
    page = admin.get(page_url).get_data(as_text=True)
    assert f'id="consent-row-{pupil_id}-{category_id}"' in page and "papieren formulier" in page
    token = csrf_token_from(page)
    plain = admin.post(f"{PAGE}/{pupil_id}/{category_id}",
                       data={"granted": "yes", "next": page_url, "csrf_token": token})
    assert plain.status_code == 302
    assert plain.headers["Location"] == f"{page_url}#consent-row-{pupil_id}-{category_id}"
    row = admin.post(f"{PAGE}/{pupil_id}/{category_id}", headers=HTMX,
                     data={"granted": "no", "next": page_url, "csrf_token": token})
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and "<html" not in html and "geen toestemming voor Sem" in html
    assert _state(app, pupil_id, category_id) is False
    changes = _changes(app)
    assert [(c.old_value, c.new_value) for c in changes] == [(None, True), (True, False)]
    assert {c.changed_by_id for c in changes} == {_read(app, lambda: User.by_email(ADMIN).id)}
    mails = _read(app, lambda: list(OutboxMail.select().where(
        OutboxMail.to_email == TEACHER)))
    assert len(mails) == 2


def test_teachers_read_but_do_not_set_consent(app, teacher, other_parent):
    pupil_id, category_id = _ids(app)
    page = teacher.get(f"{PAGE}/leerling/{pupil_id}").get_data(as_text=True)
    assert "Sem" in page and f'id="consent-row-{pupil_id}-{category_id}"' not in page
    token = csrf_token_from(teacher.get("/").get_data(as_text=True))
    assert teacher.post(f"{PAGE}/{pupil_id}/{category_id}", data={
        "granted": "yes", "csrf_token": token}).status_code == 403
    assert _state(app, pupil_id, category_id) is None and _changes(app) == []


# --- the yearly reminder ---------------------------------------------------------------------

def test_the_yearly_reminder_reaches_each_activated_parent_once_a_day(app, admin, login_as):
    page = admin.get(f"{PAGE}/categorieen").get_data(as_text=True)
    expected = _read(app, lambda: {u.email for u in reminder.parents_to_remind(
        worker.school_today())})
    assert {PARENT, OTHER_PARENT, TWO_GROUP_PARENT} <= expected
    assert f"Herinnering versturen naar {len(expected)} ouders" in page
    token = csrf_token_from(page)
    sent = admin.post(f"{PAGE}/herinnering", data={"csrf_token": token})
    assert sent.status_code == 302
    mails = _read(app, lambda: list(OutboxMail.select().where(
        OutboxMail.template == "consent/reminder")))
    assert sorted(m.to_email for m in mails) == sorted(expected)
    assert all("/toestemming" in m.body_text for m in mails)
    again = admin.post(f"{PAGE}/herinnering", data={"csrf_token": token}, follow_redirects=True)
    assert "vandaag al verstuurd" in again.get_data(as_text=True)
    assert _read(app, lambda: OutboxMail.select().where(
        OutboxMail.template == "consent/reminder").count()) == len(expected)
    assert "Laatst verstuurd op" in admin.get(f"{PAGE}/categorieen").get_data(as_text=True)


def test_only_admins_send_the_reminder(app, parent, teacher):
    for client in (parent, teacher):
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        assert client.post(f"{PAGE}/herinnering", data={"csrf_token": token}).status_code == 403
    assert _read(app, lambda: OutboxMail.select().where(
        OutboxMail.template == "consent/reminder").count()) == 0


def test_the_home_reminder_counts_per_child_the_active_categories_without_a_choice(app):
    _set(app, "Sem", "portal_group", True)
    _set(app, "Sem", "website", False)

    def counted():
        with write_transaction():  # a category the school switched off is not asked
            ConsentCategory.update(active=False).where(
                ConsentCategory.key == "newsletter").execute()
        pupils = [p.id for p in Pupil.select()]
        active = [c.id for c in service.categories()]
        chosen = service.choices_of(pupils)
        expected = {p: sum((p, c) not in chosen for c in active) for p in pupils}
        return service.open_choice_counts(pupils), expected, service.open_choice_counts([])

    found, expected, none = _read(app, counted)
    assert found == expected and none == {}
    assert len(set(found.values())) > 1  # Sem has two choices fewer to make
