"""The administration pages: only admins, PRG forms, database-guarded conflicts, bad input."""

from datetime import datetime, timedelta

import pytest

from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENT,
    AuthSession,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
)
from tests.support.queries import statements_for
from tests.support.web import ADMIN, OTHER_TEACHER, PARENT, TEACHER, csrf_token_from, run_worker

DUPLICATE_GROUP = "Er bestaat al een groep met deze naam in dit schooljaar"
HOSTILE = ["", " ", "x" * 10_000, "<script>alert(1)</script>", "\x00\x07", "😀" * 200]


def _read(app, fn):
    """Run fn inside an app context with a connection."""
    with app.app_context(), db.connection_context():
        return fn()


def _ids(app):
    """Ids the tests aim at: Sem (Groep 1/2A), juf Sanne, the admin, Groep 5."""
    def read():
        return {
            "sem": Pupil.get(Pupil.first_name == "Sem").id,
            "lotte": Pupil.get(Pupil.first_name == "Lotte").id,
            "teacher": User.by_email(TEACHER).id,
            "admin": User.by_email(ADMIN).id,
            "parent": User.by_email(PARENT).id,
            "groep5": Group.get(Group.name == "Groep 5").id,
            "groep12": Group.get(Group.name == "Groep 1/2A").id,
        }
    return _read(app, read)


def _post(client, url, data=None, token=True, **kwargs):
    """POST with the session's CSRF token read from a page, unless token is False."""
    data = dict(data or {})
    if token:
        data["csrf_token"] = csrf_token_from(client.get("/admin").get_data(as_text=True))
    return client.post(url, data=data, **kwargs)


def _get_urls(ids):
    return [
        "/admin", "/admin/groups", "/admin/groups/new", f"/admin/groups/{ids['groep12']}",
        "/admin/pupils", f"/admin/pupils?group={ids['groep12']}&q=sem", "/admin/pupils/left",
        "/admin/pupils/new", f"/admin/pupils/{ids['sem']}", f"/admin/pupils/{ids['sem']}/edit",
        f"/admin/pupils/{ids['sem']}/guardians/{ids['parent']}/unlink",
        "/admin/staff", "/admin/staff/invite", f"/admin/staff/{ids['teacher']}", "/admin/mail",
    ]


def _post_urls(ids):
    return [
        ("/admin/groups/new", {"name": "Groep 3", "school_year": "2026-2027", "sort_order": 3}),
        (f"/admin/groups/{ids['groep12']}", {"name": "Gehackt", "school_year": "2026-2027",
                                              "sort_order": 1}),
        (f"/admin/groups/{ids['groep12']}/delete", {}),
        (f"/admin/pupils/{ids['sem']}/move", {"group": ids["groep5"]}),
        (f"/admin/pupils/{ids['sem']}/leave", {"left_on": school_today().isoformat()}),
        (f"/admin/pupils/{ids['sem']}/guardians/{ids['parent']}/unlink", {}),
        (f"/admin/staff/{ids['teacher']}/deactivate", {}),
        (f"/admin/staff/{ids['teacher']}/role", {"role": "admin"}),
        (f"/admin/staff/{ids['teacher']}/groups", {"groups": [ids["groep5"]]}),
        ("/admin/staff/invite", {"email": "x@example.org", "display_name": "X", "role": "admin"}),
        ("/admin/mail/retry", {}),
    ]


def _snapshot(app):
    """What the admin pages could change."""
    def read():
        return (
            sorted((g.name, g.school_year) for g in Group.select()),
            sorted((p.id, p.group_id, p.left_on) for p in Pupil.select()),
            Guardianship.select().count(),
            sorted((u.email, u.role, u.active) for u in User.select()),
            sorted((s.staff_id, s.group_id) for s in GroupStaff.select()),
            OutboxMail.select().count(),
        )
    return _read(app, read)


# --- Who may come in -------------------------------------------------------------------

def test_admin_opens_every_page(app, admin):
    for url in _get_urls(_ids(app)):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert '<html lang="nl">' in response.get_data(as_text=True), url


@pytest.mark.parametrize("who", ["teacher", "parent", "other_parent"])
def test_others_reach_no_page_and_change_nothing(app, request, who):
    client = request.getfixturevalue(who)
    ids = _ids(app)
    for url in _get_urls(ids) + ["/admin/pupils/999999", "/admin/mail/1/html"]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Sem Jansen" not in response.get_data(as_text=True), url
    before = _snapshot(app)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for url, data in _post_urls(ids):
        assert client.post(url, data={**data, "csrf_token": token}).status_code in (403, 404), url
    assert _snapshot(app) == before


def test_logged_out_visitor_is_sent_to_login(app, client):
    ids = _ids(app)
    for url in _get_urls(ids):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    before = _snapshot(app)
    for url, data in _post_urls(ids):
        assert client.post(url, data=data).status_code in (400, 401), url
    assert _snapshot(app) == before


def test_without_csrf_token_nothing_changes(app, admin):
    before = _snapshot(app)
    for url, data in _post_urls(_ids(app)):
        response = _post(admin, url, data, token=False)
        assert response.status_code == 400, url
        assert "Er is niets gewijzigd" in response.get_data(as_text=True)
    assert _snapshot(app) == before


def test_guessed_ids_give_404(admin):
    for url in ["/admin/groups/999999", "/admin/pupils/999999", "/admin/pupils/999999/edit",
                "/admin/staff/999999", "/admin/mail/999999", "/admin/pupils/1/guardians/999/unlink",
                "/admin/pupils/99999999999999999999", "/admin/mail/99999999999999999999/html"]:
        assert admin.get(url).status_code == 404, url


def test_a_parent_account_is_not_a_staff_page(app, admin):
    assert admin.get(f"/admin/staff/{_ids(app)['parent']}").status_code == 404


# --- Start page and groups -------------------------------------------------------------

def test_start_page_shows_figures_and_links(admin):
    html = admin.get("/admin").get_data(as_text=True)
    for text in ("Administratie", "Leerlingen op school", "Ouders geactiveerd",
                 "Ouders uitgenodigd, niet geactiveerd", "Mislukte e-mails", "Verzonden e-mail",
                 'href="/admin/groups"', 'href="/admin/pupils"', 'href="/admin/staff"',
                 'href="/admin/mail"', 'href="/admin/pupils/left"'):
        assert text in html, text
    assert "<dd>60</dd>" in html  # pupils at school


def test_group_list_shows_counts_and_staff(admin):
    html = admin.get("/admin/groups").get_data(as_text=True)
    assert "Groep 1/2A" in html and "juf Sanne" in html and "meester Ahmed" in html
    assert html.count(">20</a>") == 3


def test_group_list_does_not_query_per_group(app, admin, caplog):
    few = statements_for(admin, "/admin/groups")

    def add_groups():
        teacher = User.by_email(TEACHER)
        for n in range(10):
            group = Group.create(name=f"Extra {n}", school_year="2030-2031", sort_order=n)
            GroupStaff.create(staff=teacher, group=group)
    _read(app, add_groups)
    assert statements_for(admin, "/admin/groups") == few


def test_creating_a_group(app, admin):
    response = _post(admin, "/admin/groups/new",
                     {"name": "Groep 3", "school_year": "2026-2027", "sort_order": "3"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/groups"
    assert "Groep Groep 3 is aangemaakt" in admin.get("/admin/groups").get_data(as_text=True)
    assert _read(app, lambda: Group.get(Group.name == "Groep 3").sort_order) == 3


def test_new_group_form_suggests_the_current_school_year(app, admin):
    year = _read(app, lambda: Group.get(Group.name == "Groep 5").school_year)
    assert f'value="{year}"' in admin.get("/admin/groups/new").get_data(as_text=True)


def test_a_duplicate_group_name_is_refused_by_the_database(app, admin):
    year = _read(app, lambda: Group.get(Group.name == "Groep 5").school_year)
    response = _post(admin, "/admin/groups/new",
                     {"name": "Groep 5", "school_year": year, "sort_order": "5"})
    assert response.status_code == 422
    assert DUPLICATE_GROUP in response.get_data(as_text=True)
    assert _read(app, lambda: Group.select().where(Group.name == "Groep 5").count()) == 1


def test_renaming_a_group_and_a_clash(app, admin):
    ids = _ids(app)
    year = _read(app, lambda: Group.get_by_id(ids["groep5"]).school_year)
    url = f"/admin/groups/{ids['groep5']}"
    clash = _post(admin, url, {"name": "Groep 8", "school_year": year, "sort_order": "5"})
    assert clash.status_code == 422 and DUPLICATE_GROUP in clash.get_data(as_text=True)
    ok = _post(admin, url, {"name": "Groep 5b", "school_year": year, "sort_order": "5"})
    assert ok.status_code == 302
    assert _read(app, lambda: Group.get_by_id(ids["groep5"]).name) == "Groep 5b"


@pytest.mark.parametrize("field", ["name", "school_year", "sort_order"])
def test_bad_group_input_is_a_clear_422(app, admin, field):
    before = _snapshot(app)
    for value in HOSTILE + ["2026-2028", "-1", "abc", "1000"]:
        data = {"name": "Groep 4", "school_year": "2026-2027", "sort_order": "4", field: value}
        if field == "name" and value in ("-1", "abc", "1000", "2026-2028"):
            continue  # plain names
        if field == "name" and value.startswith("<script"):
            continue  # a strange but harmless name; escaped on output
        response = _post(admin, "/admin/groups/new", data)
        assert response.status_code == 422, (field, value[:20])
        assert 'class="field__error"' in response.get_data(as_text=True)
    assert _snapshot(app) == before


def test_a_group_with_pupils_cannot_be_deleted(app, admin):
    ids = _ids(app)
    response = _post(admin, f"/admin/groups/{ids['groep5']}/delete")
    assert response.status_code == 409
    assert "kan niet worden verwijderd" in response.get_data(as_text=True)
    assert _read(app, lambda: Group.get_or_none(Group.id == ids["groep5"])) is not None


def test_an_empty_group_is_deleted(app, admin):
    group_id = _read(app, lambda: Group.create(name="Leeg", school_year="2026-2027").id)
    response = _post(admin, f"/admin/groups/{group_id}/delete")
    assert response.status_code == 302
    assert _read(app, lambda: Group.get_or_none(Group.id == group_id)) is None


# --- Pupils ----------------------------------------------------------------------------

def test_pupil_filter_full_page_without_javascript(app, admin):
    groep12 = _ids(app)["groep12"]
    response = admin.get(f"/admin/pupils?group={groep12}&q=jansen")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "Sem Jansen" in html and "Lotte Bakker" not in html
    assert 'value="jansen"' in html and f'<option value="{groep12}" selected>' in html


def test_pupil_filter_fragment_for_htmx(app, admin):
    response = admin.get("/admin/pupils?q=bakker", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and html.strip().startswith('<div id="admin-pupils">')
    assert "Lotte Bakker" in html and "Sem Jansen" not in html


def test_pupil_filter_per_group(app, admin):
    html = admin.get(f"/admin/pupils?group={_ids(app)['groep5']}").get_data(as_text=True)
    assert "Lotte Bakker" in html and "Sem Jansen" not in html and "20 leerlingen" in html


def test_pupil_filter_survives_hostile_input(admin):
    for query in ("%", "_", "' OR 1=1 --", "x" * 10_000, "😀", "\\"):
        assert admin.get("/admin/pupils", query_string={"q": query}).status_code == 200
    for group in ("abc", "-1", "99999999999999999999", "1 OR 1=1"):
        assert admin.get("/admin/pupils", query_string={"group": group}).status_code == 200


def test_pupil_page_shows_details_and_guardian_states(app, admin):
    ids = _ids(app)
    html = admin.get(f"/admin/pupils/{ids['sem']}").get_data(as_text=True)
    assert "Sem Jansen" in html and "RB-1001" in html and "Groep 1/2A" in html
    assert "Eva Jansen" in html and "Geactiveerd" in html
    assert f'href="/pupils/{ids["sem"]}/guardians"' in html
    # A family of the demo that never activated shows as such.
    waiting = _read(app, lambda: Pupil.select().join(Guardianship).join(User).where(
        User.password_hash.is_null()).first().id)
    assert "Niet geactiveerd" in admin.get(f"/admin/pupils/{waiting}").get_data(as_text=True)


def _pupil_data(groups, **changes):
    data = {"first_name": "Nina", "last_name": "de Kok", "birth_date": "2019-03-01",
            "group": groups["Groep 1/2A"].id, "pupil_number": "RB-9001"}
    data.update(changes)
    return data


def test_adding_a_pupil(app, admin, groups):
    response = _post(admin, "/admin/pupils/new", _pupil_data(groups))
    assert response.status_code == 302
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nina de Kok is toegevoegd" in html and "RB-9001" in html


def test_a_duplicate_pupil_number_is_refused(app, admin, groups):
    response = _post(admin, "/admin/pupils/new", _pupil_data(groups, pupil_number="RB-1001"))
    assert response.status_code == 422
    assert "Een andere leerling heeft dit leerlingnummer al" in response.get_data(as_text=True)
    assert _read(app, lambda: Pupil.select().where(Pupil.first_name == "Nina").count()) == 0


@pytest.mark.parametrize("field,value", [
    ("first_name", ""), ("last_name", "x" * 10_000), ("first_name", "a\x00b"),
    ("birth_date", "gisteren"), ("birth_date", "1900-01-01"), ("birth_date", "2999-01-01"),
    ("birth_date", ""), ("group", "abc"), ("group", "999999"), ("pupil_number", "RB 1; DROP"),
    ("pupil_number", "x" * 100),
])
def test_bad_pupil_input_is_a_clear_422(app, admin, groups, field, value):
    before = _snapshot(app)
    response = _post(admin, "/admin/pupils/new", _pupil_data(groups, **{field: value}))
    assert response.status_code == 422
    assert 'class="field__error"' in response.get_data(as_text=True)
    assert _snapshot(app) == before


def test_correcting_a_pupils_details(app, admin):
    sem = _ids(app)["sem"]
    response = _post(admin, f"/admin/pupils/{sem}/edit", {
        "first_name": "Sem", "last_name": "Jansen-de Vries", "birth_date": "2021-05-04",
        "pupil_number": "RB-1001"})
    assert response.status_code == 302
    assert _read(app, lambda: Pupil.get_by_id(sem).last_name) == "Jansen-de Vries"


def test_moving_a_pupil(app, admin, teacher, login_as):
    ids = _ids(app)
    response = _post(admin, f"/admin/pupils/{ids['sem']}/move", {"group": ids["groep5"]})
    assert response.status_code == 302
    assert "Sem Jansen" not in teacher.get(f"/groups/{ids['groep12']}").get_data(as_text=True)
    ahmed = login_as(OTHER_TEACHER)
    assert "Sem Jansen" in ahmed.get(f"/groups/{ids['groep5']}").get_data(as_text=True)


def test_moving_to_an_unknown_group_is_refused(app, admin):
    ids = _ids(app)
    response = _post(admin, f"/admin/pupils/{ids['sem']}/move", {"group": "999999"})
    assert response.status_code == 422
    assert _read(app, lambda: Pupil.get_by_id(ids["sem"]).group_id) == ids["groep12"]


def test_a_pupil_who_leaves_disappears_for_parents_and_teachers(app, admin, parent, teacher):
    ids = _ids(app)
    response = _post(admin, f"/admin/pupils/{ids['sem']}/leave",
                     {"left_on": school_today().isoformat()})
    assert response.status_code == 302
    assert "Sem Jansen" not in parent.get("/").get_data(as_text=True)
    assert parent.get(f"/groups/{ids['groep12']}").status_code == 404  # Sem was the only child
    assert "Sem Jansen" not in teacher.get(f"/groups/{ids['groep12']}").get_data(as_text=True)
    found = admin.get("/admin/pupils?q=sem", headers={"HX-Request": "true"})
    assert "Sem Jansen" not in found.get_data(as_text=True)
    left = admin.get("/admin/pupils/left").get_data(as_text=True)
    assert "Sem Jansen" in left and "vertrokken op" in left
    page = admin.get(f"/admin/pupils/{ids['sem']}").get_data(as_text=True)
    assert "Van school gegaan op" in page and "/move" not in page

    again = _post(admin, f"/admin/pupils/{ids['sem']}/leave",
                  {"left_on": school_today().isoformat()})
    assert again.status_code == 409 and "al een vertrekdatum" in again.get_data(as_text=True)
    assert _post(admin, f"/admin/pupils/{ids['sem']}/return").status_code == 302
    assert "Sem Jansen" in parent.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value", ["", "morgen", "2020-02-30", "1990-01-01",
                                   (school_today() + timedelta(days=400)).isoformat()])
def test_a_bad_leaving_date_is_refused(app, admin, value):
    sem = _ids(app)["sem"]
    response = _post(admin, f"/admin/pupils/{sem}/leave", {"left_on": value})
    assert response.status_code == 422
    assert 'class="field__error"' in response.get_data(as_text=True)
    assert _read(app, lambda: Pupil.get_by_id(sem).left_on) is None


def test_unlinking_a_guardian_asks_first_and_keeps_the_account(app, admin, parent):
    ids = _ids(app)
    url = f"/admin/pupils/{ids['sem']}/guardians/{ids['parent']}/unlink"
    question = admin.get(url).get_data(as_text=True)
    assert "Wil je Eva Jansen" in question and "Het account blijft bestaan" in question
    assert _read(app, lambda: Guardianship.select().where(
        Guardianship.guardian == ids["parent"]).count()) == 1  # asking changed nothing
    assert _post(admin, url).status_code == 302
    assert "Sem Jansen" not in parent.get("/").get_data(as_text=True)
    assert _read(app, lambda: User.get_by_id(ids["parent"]).active)
    assert admin.get(url).status_code == 404  # the link is gone


# --- Staff -----------------------------------------------------------------------------

def test_staff_list_shows_roles_groups_and_states(admin):
    html = admin.get("/admin/staff").get_data(as_text=True)
    for text in ("juf Sanne", "Groep 1/2A", "meester Ahmed", "Marieke Hoekstra", "Beheerder",
                 "Geactiveerd"):
        assert text in html
    assert "Eva Jansen" not in html  # parents are not staff


def test_inviting_a_member_of_staff_sends_a_mail(app, admin, smtp_server, groups):
    response = _post(admin, "/admin/staff/invite", {
        "email": "Juf.Fatima@Example.org ", "display_name": "juf Fatima", "role": "staff",
        "groups": [groups["Groep 8"].id]})
    assert response.status_code == 302
    assert "uitnodiging gestuurd naar juf.fatima@example.org" in admin.get(
        "/admin/staff").get_data(as_text=True)
    user = _read(app, lambda: User.by_email("juf.fatima@example.org"))
    assert user.role == "staff" and user.password_hash is None
    assert _read(app, lambda: [g.group.name for g in user.group_roles]) == ["Groep 8"]
    run_worker(app)
    [mail] = smtp_server.to("juf.fatima@example.org")
    assert "/activate/" in mail.get_body(("plain",)).get_content()


def test_inviting_an_admin(app, admin):
    _post(admin, "/admin/staff/invite",
          {"email": "adjunct@example.org", "display_name": "Adjunct", "role": "admin"})
    assert _read(app, lambda: User.by_email("adjunct@example.org").role) == "admin"


def test_inviting_a_parents_address_as_staff_is_refused(app, admin):
    before = _snapshot(app)
    response = _post(admin, "/admin/staff/invite",
                     {"email": PARENT, "display_name": "Eva", "role": "staff"})
    assert response.status_code == 422
    assert "andere rol" in response.get_data(as_text=True)
    assert _snapshot(app) == before


@pytest.mark.parametrize("field,value", [
    ("email", ""), ("email", "geen-adres"), ("email", "a@b"), ("email", "x" * 10_000 + "@e.org"),
    ("display_name", ""), ("display_name", "x" * 101), ("role", "parent"), ("role", ""),
    ("groups", "abc"), ("groups", "999999"),
])
def test_bad_staff_invitations_are_a_clear_422(app, admin, field, value):
    before = _snapshot(app)
    data = {"email": "nieuw@example.org", "display_name": "Nieuw", "role": "staff", field: value}
    response = _post(admin, "/admin/staff/invite", data)
    assert response.status_code == 422
    assert _snapshot(app) == before


def test_assigning_and_unassigning_groups(app, admin):
    ids = _ids(app)
    url = f"/admin/staff/{ids['teacher']}/groups"
    assert _post(admin, url, {"groups": [ids["groep12"], ids["groep5"]]}).status_code == 302
    assert _post(admin, url, {"groups": [ids["groep5"]]}).status_code == 302
    rows = _read(app, lambda: [s.group_id for s in GroupStaff.select().where(
        GroupStaff.staff == ids["teacher"])])
    assert rows == [ids["groep5"]]


def test_deactivating_logs_the_teacher_out_at_once(app, admin, teacher):
    ids = _ids(app)
    assert teacher.get("/").status_code == 200
    response = _post(admin, f"/admin/staff/{ids['teacher']}/deactivate")
    assert response.status_code == 302
    assert teacher.get("/").status_code == 302  # the session ended on the server
    assert _read(app, lambda: AuthSession.select().where(
        AuthSession.user == ids["teacher"]).count()) == 0
    assert "Uitgeschakeld" in admin.get(f"/admin/staff/{ids['teacher']}").get_data(as_text=True)
    assert _post(admin, f"/admin/staff/{ids['teacher']}/reactivate").status_code == 302
    assert _read(app, lambda: User.get_by_id(ids["teacher"]).active)


def test_the_last_admin_cannot_deactivate_or_demote_themself(app, admin):
    ids = _ids(app)
    page = admin.get(f"/admin/staff/{ids['admin']}").get_data(as_text=True)
    assert "/deactivate" not in page and "Je kunt je eigen rol niet wijzigen" in page
    for url, data in ((f"/admin/staff/{ids['admin']}/deactivate", {}),
                      (f"/admin/staff/{ids['admin']}/role", {"role": "staff"})):
        response = _post(admin, url, data)
        assert response.status_code in (409, 422)
        assert "Je kunt je eigen" in response.get_data(as_text=True)
    me = _read(app, lambda: User.get_by_id(ids["admin"]))
    assert me.active and me.role == "admin"


def test_promoting_and_demoting_another_account(app, admin):
    ids = _ids(app)
    url = f"/admin/staff/{ids['teacher']}/role"
    assert _post(admin, url, {"role": "admin"}).status_code == 302
    assert _read(app, lambda: User.get_by_id(ids["teacher"]).role) == "admin"
    assert _post(admin, url, {"role": "staff"}).status_code == 302
    assert _post(admin, url, {"role": "parent"}).status_code == 422
    assert _read(app, lambda: User.get_by_id(ids["teacher"]).role) == "staff"


# --- Sent email ------------------------------------------------------------------------

def _mails(app, count, status=MAIL_SENT, **values):
    def create():
        return [OutboxMail.create(
            to_email=f"ouder{n}@example.org", template="invitations/invitation", language="nl",
            subject=f"Uitnodiging {n}", body_text=f"Activeer: http://127.0.0.1:5000/activate/GEHEIM{n}",
            body_html=f"<p>Activeer <a href='/activate/GEHEIM{n}'>hier</a></p><script>x()</script>",
            status=status, **values).id for n in range(count)]
    return _read(app, create)


def test_mail_page_hides_bodies_with_real_delivery(app, admin):
    assert app.config["MAIL_BACKEND"] == "smtp"
    [mail_id] = _mails(app, 1)
    html = admin.get("/admin/mail").get_data(as_text=True)
    assert "ouder0@example.org" in html and "Uitnodiging 0" in html and "verzonden" in html
    assert "GEHEIM" not in html and "teksten zijn verborgen" in html
    detail = admin.get(f"/admin/mail/{mail_id}").get_data(as_text=True)
    assert "GEHEIM" not in detail and "<pre" not in detail
    assert admin.get(f"/admin/mail/{mail_id}/html").status_code == 404


def test_mail_bodies_in_the_demo_are_text_and_a_sandboxed_page(app, admin):
    app.config["MAIL_BACKEND"] = "portal"
    [mail_id] = _mails(app, 1)
    detail = admin.get(f"/admin/mail/{mail_id}").get_data(as_text=True)
    assert "GEHEIM0" in detail and '<pre class="admin-mail-body">' in detail
    assert "verlaat deze computer niet" in detail
    response = admin.get(f"/admin/mail/{mail_id}/html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_dead_mail_is_on_top_and_can_be_retried(app, admin):
    _mails(app, 3)
    [dead_id] = _mails(app, 1, status=MAIL_DEAD, attempts=8, last_error="550 mailbox unknown")
    html = admin.get("/admin/mail").get_data(as_text=True)
    assert "1 e-mail kon niet worden bezorgd" in html and "550 mailbox unknown" in html
    assert html.index("kon niet worden bezorgd") < html.index("e-mails in totaal")
    response = _post(admin, f"/admin/mail/{dead_id}/retry")
    assert response.status_code == 302
    row = _read(app, lambda: OutboxMail.get_by_id(dead_id))
    assert (row.status, row.attempts) == (MAIL_PENDING, 0)
    again = _post(admin, f"/admin/mail/{dead_id}/retry")
    assert "wacht niet meer" in admin.get(again.headers["Location"]).get_data(as_text=True)


def test_retry_all_dead_mail(app, admin):
    _mails(app, 3, status=MAIL_DEAD)
    _post(admin, "/admin/mail/retry")
    statuses = _read(app, lambda: {m.status for m in OutboxMail.select()})
    assert statuses == {MAIL_PENDING}


def test_mail_pages_of_fifty_newest_first(app, admin):
    _mails(app, 120)
    first = admin.get("/admin/mail").get_data(as_text=True)
    assert "Pagina 1 van 3" in first and "Uitnodiging 119" in first
    assert "Uitnodiging 69<" not in first and "Uitnodiging 70<" in first
    last = admin.get("/admin/mail?page=3").get_data(as_text=True)
    assert "Uitnodiging 0<" in last and "Uitnodiging 20<" not in last
    for page in ("abc", "-5", "0", "999", "9" * 30):
        assert admin.get(f"/admin/mail?page={page}").status_code == 200, page


def test_mail_dates_are_shown_in_amsterdam_time(app, admin):
    _mails(app, 1, created_at=datetime(2026, 1, 15, 11, 0), sent_at=datetime(2026, 7, 1, 8, 30))
    html = admin.get("/admin/mail").get_data(as_text=True)
    assert "15 jan 2026, 12:00" in html  # stored 11:00 UTC; UTC+1 in winter
    assert "1 jul 2026, 10:30" in html  # stored 08:30 UTC; UTC+2 in summer
