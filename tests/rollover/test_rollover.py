"""The school-year rollover: the plan, applying it once, and read-only archived groups."""

import gzip
import re
from datetime import date

import pytest

from schoolportal import authz
from schoolportal.calendar import policy as calendar_policy
from schoolportal.core.clock import school_today
from schoolportal.core.models import AuditEntry, Group, GroupStaff, Pupil, User, school_year_of
from schoolportal.feed import policy as feed_policy
from schoolportal.feed.models import Post
from schoolportal.meetings import policy as meetings_policy
from schoolportal.rollover import policy, service
from schoolportal.rollover.models import YearRollover
from schoolportal.surveys import policy as surveys_policy
from tests.feed.test_posts import publish
from tests.support.web import ADMIN, OTHER_PARENT, PARENT, TEACHER, csrf_token_from

HTMX = {"HX-Request": "true"}
ROW = re.compile(r'data-pupil="(\d+)" data-to="([^"]*)"')


def _today():
    """The day the tests roll over (the demo school was seeded for today's school year)."""
    return school_today()


def _outcome():
    """{pupil id: (group name, school year, left_on)} for every pupil."""
    rows = Pupil.select(Pupil, Group).join(Group)
    return {p.id: (p.group.name, p.group.school_year, p.left_on) for p in rows}


def _pupil(number):
    """A demo pupil by pupil number."""
    return Pupil.get(Pupil.pupil_number == number)


def _apply(choices=None, user_email=ADMIN):
    """Make the plan and apply it as previewed; returns (plan, record)."""
    plan = service.make_plan(_today(), choices)
    record = service.apply(User.by_email(user_email), plan.from_year, plan.fingerprint,
                            choices or {}, _today())
    return plan, record


# --- The rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, levels", [
    ("Groep 5", (5, 5, "")), ("Groep 1/2A", (1, 2, "A")), ("Groep 7b", (7, 7, "B")),
    ("groep 3 / 4", (3, 4, "")), ("Schakelklas", None), ("Groep 9", None),
])
def test_levels_come_from_the_group_name(name, levels):
    assert service.levels_of(name) == levels


@pytest.mark.parametrize("born, level", [
    (date(2022, 9, 30), 1),  # 4 on 1 October 2026: groep 1
    (date(2022, 10, 2), 1),  # not yet 4 then (started later): groep 1
    (date(2021, 10, 1), 2),  # 5 on 1 October: groep 2
    (date(2019, 5, 1), 2),  # older still: the group's highest level
])
def test_level_in_a_combined_group_comes_from_the_birth_date(born, level):
    pupil = Pupil(birth_date=born)
    assert service.level_of(pupil, (1, 2, "A"), "2026-2027") == level


def test_leaving_day_is_31_july_or_today_when_later():
    assert service.leaving_day("2026-2027", date(2027, 7, 10)) == date(2027, 7, 31)
    assert service.leaving_day("2026-2027", date(2027, 8, 20)) == date(2027, 8, 20)


def test_plan_for_the_demo_school(db_ctx):
    plan = service.make_plan(_today())
    to_year = plan.to_year
    assert plan.from_year == school_year_of(_today())
    names = [(g.name, g.source is None) for g in plan.next_groups]
    assert names == [("Groep 1/2A", False), ("Groep 3", True), ("Groep 5", False),
                     ("Groep 6", True), ("Groep 8", False)]
    staff = {g.name: [s.email for s in g.staff] for g in plan.next_groups}
    assert staff["Groep 1/2A"] == [TEACHER] and staff["Groep 3"] == []
    by_group = {g.name: {m.to for m in plan.moves_of(g)} for g in plan.groups}
    assert by_group["Groep 5"] == {"Groep 6"} and by_group["Groep 8"] == {None}
    assert by_group["Groep 1/2A"] <= {"Groep 1/2A", "Groep 3"}
    assert len(plan.moves) == 60 and to_year == service.next_year(plan.from_year)


# --- Applying -------------------------------------------------------------------------------

def test_result_equals_the_preview_pupil_by_pupil(db_ctx):
    before = _outcome()
    plan, record = _apply()
    after = _outcome()
    leave_on = service.leaving_day(plan.from_year, _today())
    for move in plan.moves:
        name, year, left_on = after[move.pupil.id]
        if move.to is None:
            assert (name, year, left_on) == (before[move.pupil.id][0], plan.from_year, leave_on)
        else:
            assert (name, year, left_on) == (move.to, plan.to_year, None)
    assert record.moved + record.left == len(plan.moves) == 60
    assert record.left == 20 and record.groups_created == 2


def test_groep_8_leaves_school(db_ctx):
    groep_8 = [p.id for p in Pupil.select().join(Group).where(Group.name == "Groep 8")]
    plan, _record = _apply()
    leavers = list(Pupil.select(Pupil, Group).join(Group).where(Pupil.id.in_(groep_8)))
    assert len(leavers) == 20
    assert all(p.left_on == service.leaving_day(plan.from_year, _today()) for p in leavers)
    assert all(p.group.school_year == plan.from_year for p in leavers)
    assert not Pupil.select().join(Group).where(
        (Group.school_year == plan.to_year) & Pupil.id.in_(groep_8)).exists()


def test_a_pupil_who_repeats_groep_5_stays_in_groep_5(db_ctx):
    lotte = _pupil("RB-1002")
    plan, record = _apply({lotte.id: service.REPEAT})
    moved = Pupil.select(Pupil, Group).join(Group).where(Pupil.id == lotte.id).get()
    assert (moved.group.name, moved.group.school_year) == ("Groep 5", plan.to_year)
    assert moved.group_id != lotte.group_id and record.repeated == 1


def test_exceptions_leave_and_another_group(db_ctx):
    adam, sem = _pupil("RB-1004"), _pupil("RB-1001")
    plan, _record = _apply({adam.id: service.LEAVE, sem.id: "Groep 3"})
    assert Pupil.get_by_id(adam.id).left_on is not None
    moved = Pupil.select(Pupil, Group).join(Group).where(Pupil.id == sem.id).get()
    assert (moved.group.name, moved.group.school_year) == ("Groep 3", plan.to_year)


def test_new_year_has_the_groups_and_staff_and_starts_clean(db_ctx):
    publish(TEACHER, "Groep 1/2A", title="Laatste schooldag")
    plan, _record = _apply()
    new = {g.name: g for g in Group.select().where(Group.school_year == plan.to_year)}
    assert sorted(new) == ["Groep 1/2A", "Groep 3", "Groep 5", "Groep 6", "Groep 8"]
    teachers = GroupStaff.staff_by_group(list(new.values()))
    assert [u.email for u in teachers[new["Groep 1/2A"].id]] == [TEACHER]
    assert teachers[new["Groep 3"].id] == []
    assert not Post.select().where(Post.group.in_(list(new.values()))).exists()
    old = Group.select().where(Group.school_year == plan.from_year)
    assert all(g.archived_at is not None for g in old)
    assert all(p.comments_closed_at is not None for p in Post.select())
    entry = AuditEntry.get(AuditEntry.action == "rollover")
    assert '"left": 20' in entry.details and "Lotte" not in entry.details


def test_a_second_apply_is_refused(db_ctx):
    plan, _record = _apply()
    before = _outcome()
    with pytest.raises(service.RolloverRefused) as refused:
        service.apply(User.by_email(ADMIN), plan.from_year, plan.fingerprint, {}, _today())
    assert refused.value.code == "done"
    assert _outcome() == before and YearRollover.select().count() == 1
    assert service.make_plan(_today()) is None  # the new year is rolled over at its end


def test_the_database_refuses_a_second_rollover_of_a_year(db_ctx):
    plan = service.make_plan(_today())
    YearRollover.create(from_year=plan.from_year, to_year=plan.to_year)  # a racing admin
    with pytest.raises(service.RolloverRefused) as refused:
        service.apply(User.by_email(ADMIN), plan.from_year, plan.fingerprint, {}, _today())
    assert refused.value.code == "done"
    assert not Group.select().where(Group.school_year == plan.to_year).exists()


def test_a_stale_preview_changes_nothing(db_ctx):
    plan = service.make_plan(_today())
    Pupil.update(group=Group.get(Group.name == "Groep 8")).where(
        Pupil.pupil_number == "RB-1002").execute()
    before = _outcome()
    with pytest.raises(service.RolloverRefused) as refused:
        service.apply(User.by_email(ADMIN), plan.from_year, plan.fingerprint, {}, _today())
    assert refused.value.code == "stale"
    assert _outcome() == before and YearRollover.select().count() == 0
    assert not Group.select().where(Group.archived_at.is_null(False)).exists()


def test_an_unknown_choice_is_refused(db_ctx):
    with pytest.raises(service.RolloverRefused) as refused:
        _apply({_pupil("RB-1002").id: "Groep 12"})
    assert refused.value.code == "choice" and YearRollover.select().count() == 0


# --- Archived groups are read-only ----------------------------------------------------------

def test_archived_groups_leave_the_menus_and_the_write_choices(db_ctx):
    plan, _record = _apply()
    admin, teacher = User.by_email(ADMIN), User.by_email(TEACHER)
    for user in (admin, teacher):
        for groups in (authz.visible_groups(user), feed_policy.postable_groups(user),
                       calendar_policy.calendar_groups(user),
                       surveys_policy.addressable_groups(user),
                       meetings_policy.meeting_round_group_choices(user)):
            assert {g.school_year for g in groups} == {plan.to_year}
    old = Group.get((Group.name == "Groep 1/2A") & (Group.school_year == plan.from_year))
    assert not authz.may_manage_group(admin, old) and not authz.may_manage_group(teacher, old.id)
    assert [g.id for g in policy.archived_groups(teacher)] == [old.id]
    assert len(list(policy.archived_groups(admin))) == 3
    assert list(policy.archived_groups(User.by_email(PARENT))) == []


def test_parents_see_the_new_group_and_not_the_archive(app, ctx, parent):
    plan = ctx(lambda: _apply()[0])
    old = ctx(lambda: Group.get((Group.name == "Groep 1/2A")
                                & (Group.school_year == plan.from_year)).id)
    assert parent.get(f"/groups/{old}").status_code == 404
    nav = re.search(r'<nav class="site-nav".*?</nav>', parent.get("/").get_data(as_text=True),
                    re.S).group(0)
    assert "Groep 1/2A" in nav or "Groep 3" in nav


def test_staff_read_the_archive_but_cannot_post_or_comment_there(ctx, teacher, parent):
    post_id = ctx(publish, TEACHER, "Groep 1/2A", title="Afscheid van groep 2")
    plan = ctx(lambda: _apply()[0])
    old = ctx(lambda: Group.get((Group.name == "Groep 1/2A")
                                & (Group.school_year == plan.from_year)).id)
    archive = teacher.get("/archive").get_data(as_text=True)
    assert f'href="/groups/{old}"' in archive and plan.from_year in archive
    space = teacher.get(f"/groups/{old}")
    assert space.status_code == 200 and "Afscheid van groep 2" in space.get_data(as_text=True)
    assert teacher.get(f"/posts/{post_id}").status_code == 200
    nav = re.search(r'<nav class="site-nav".*?</nav>', teacher.get("/").get_data(as_text=True),
                    re.S).group(0)
    assert nav.count("Groep 1/2A") == 1 and f"/groups/{old}" not in nav
    token = csrf_token_from(teacher.get("/posts/new").get_data(as_text=True))
    response = teacher.post("/posts/new", data={
        "csrf_token": token, "title": "Nog eentje", "kind": "message", "body": "Tekst",
        "when": "now", "audience": str(old)})
    assert response.status_code in (403, 404, 422)
    assert teacher.get(f"/posts/{post_id}/edit").status_code == 404
    assert ctx(lambda: Post.select().where(Post.group == old).count()) == 1
    token = csrf_token_from(teacher.get(f"/posts/{post_id}").get_data(as_text=True))
    assert teacher.post(f"/posts/{post_id}/comments",
                        data={"body": "Hoi", "csrf_token": token}).status_code == 403


# --- The pages ------------------------------------------------------------------------------

def _form(html, **choices):
    """The preview form's fields, with these pupil choices."""
    data = {"csrf_token": csrf_token_from(html)}
    for name in ("from_year", "fingerprint"):
        data[name] = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"',
                               html).group(1)
    data.update({f"pupil-{pupil_id}": value for pupil_id, value in choices.items()})
    return data


def test_applying_the_preview_page_gives_what_it_showed(ctx, admin):
    html = admin.get("/rollover").get_data(as_text=True)
    shown = {int(pupil_id): to or None for pupil_id, to in ROW.findall(html)}
    assert len(shown) == 60 and "Groep 6" in html and "Groep 3" in html
    response = admin.post("/rollover/apply", data=_form(html))
    assert response.status_code == 302
    result = ctx(_outcome)
    for pupil_id, to in shown.items():
        name, year, left_on = result[pupil_id]
        assert (left_on is not None) if to is None else (name == to and left_on is None)
    page = admin.get("/rollover").get_data(as_text=True)
    assert "data-pupil" not in page


def test_checking_an_exception_shows_it_and_apply_keeps_it(ctx, admin):
    lotte = ctx(lambda: _pupil("RB-1002").id)
    html = admin.get("/rollover").get_data(as_text=True)
    checked = admin.post("/rollover/check", data=_form(html, **{str(lotte): "repeat"}))
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and f'data-pupil="{lotte}" data-to="Groep 5"' in page
    fragment = admin.post("/rollover/check", data=_form(html, **{str(lotte): "repeat"}),
                          headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and f'data-pupil="{lotte}" data-to="Groep 5"' in fragment
    assert admin.post("/rollover/apply", data=_form(page, **{str(lotte): "repeat"})
                      ).status_code == 302
    group = ctx(lambda: Pupil.get_by_id(lotte).group)
    assert group.name == "Groep 5" and group.archived_at is None


def test_a_second_apply_and_a_stale_preview_get_a_clear_message(ctx, admin):
    html = admin.get("/rollover").get_data(as_text=True)
    ctx(lambda: Pupil.update(left_on=date(2026, 12, 1)).where(
        Pupil.pupil_number == "RB-1002").execute())
    stale = admin.post("/rollover/apply", data=_form(html))
    assert stale.status_code == 409 and "veranderd" in stale.get_data(as_text=True)
    assert ctx(lambda: YearRollover.select().count()) == 0
    fresh = stale.get_data(as_text=True)
    assert admin.post("/rollover/apply", data=_form(fresh)).status_code == 302
    again = admin.post("/rollover/apply", data=_form(fresh))
    assert again.status_code == 409 and "al " in again.get_data(as_text=True)
    assert ctx(lambda: YearRollover.select().count()) == 1


def test_a_bad_choice_is_a_422_with_a_message(ctx, admin):
    lotte = ctx(lambda: _pupil("RB-1002").id)
    html = admin.get("/rollover").get_data(as_text=True)
    response = admin.post("/rollover/apply", data=_form(html, **{str(lotte): "Groep 99"}))
    assert response.status_code == 422 and 'role="alert"' in response.get_data(as_text=True)
    assert ctx(lambda: YearRollover.select().count()) == 0


def test_only_admins_roll_over_and_parents_reach_no_rollover_page(login_as, teacher):
    bakker = login_as(OTHER_PARENT)
    for url in ("/rollover", "/archive"):
        assert bakker.get(url).status_code in (403, 404), url
    token = csrf_token_from(bakker.get("/").get_data(as_text=True))
    for url in ("/rollover/check", "/rollover/apply"):
        assert bakker.post(url, data={"csrf_token": token}).status_code in (403, 404), url
        assert teacher.post(url, data={"csrf_token": token}).status_code in (400, 403), url
    assert teacher.get("/rollover").status_code == 403
    assert teacher.get("/archive").status_code == 200


def test_the_archive_is_empty_before_the_first_rollover(admin):
    html = admin.get("/archive").get_data(as_text=True)
    assert "<h1>Archief</h1>" in html and "/groups/" not in html.split("<h1>")[1]


def test_preview_and_archive_are_light(admin):
    for url in ("/rollover", "/archive"):
        body = admin.get(url).get_data()
        assert len(gzip.compress(body)) <= 40 * 1024, url


def _large_school():
    """A school of about 1,000 pupils: groups 1/2A-D and 3A-8D (28 groups) of 36 pupils."""
    year = Group.get(Group.name == "Groep 5").school_year
    names = [f"Groep 1/2{letter}" for letter in "BCD"] + [
        f"Groep {level}{letter}" for level in range(3, 9) for letter in "ABCD"]
    Group.insert_many([{"name": name, "school_year": year, "sort_order": 10 + i}
                       for i, name in enumerate(names)]).execute()
    groups = list(Group.select().where(Group.name.in_(names)))
    Pupil.insert_many([
        {"first_name": f"Kind{n}", "last_name": f"van {group.name[-2:]}",
         "birth_date": date(2015, 1 + n % 12, 1 + n % 28), "group": group.id}
        for group in groups for n in range(36)]).execute()
    return Pupil.select().count()


def test_preview_stays_light_for_a_large_school(ctx, admin):
    assert ctx(_large_school) >= 1000
    body = admin.get("/rollover").get_data()
    size = len(gzip.compress(body))
    print(f"/rollover for a 1,068-pupil school: {len(body)} bytes, {size} gzip")
    assert size <= 40 * 1024
    # A pupil of Groep 5A is offered the groups of levels 5 and 6 (staying, going up), not
    # every group of the school; applying still accepts any new-year group.
    pupil_id = ctx(lambda: Pupil.select(Pupil.id).join(Group).where(
        Group.name == "Groep 5A").first().id)
    select = re.search(rf'<select id="pupil-{pupil_id}".*?</select>', body.decode(), re.S)[0]
    offered = re.findall(r"<option(?: selected)?>([^<]+)</option>", select)
    assert sorted(offered) == ["Groep 5"] + [  # the demo's own Groep 5 is level 5 too
        f"Groep {level}{letter}" for level in (5, 6) for letter in "ABCD"]
    far = ctx(lambda: service.make_plan(_today(), {pupil_id: "Groep 8D"}))
    assert next(m for m in far.moves if m.pupil.id == pupil_id).to == "Groep 8D"
