"""Meetings in Chromium: book, change and cancel with one tap; axe on the three main pages."""

from datetime import time

import pytest

from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil, User
from schoolportal.meetings import booking
from schoolportal.meetings.models import MeetingBooking, MeetingRound
from tests.meetings.test_booking import child_of, open_round, slots_of
from tests.support.browser import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    expect,
    log_in,
    path_of,
    wait_for_htmx,
)
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT


def _round(app, groups=("Groep 1/2A", "Groep 5")):
    """An open round; returns (round id, juf Sanne's slot ids)."""
    with app.app_context(), db.connection_context():
        made = open_round(groups=groups, starts={"meester.ahmed@example.org": time(19, 10)})
        return made.id, [s.id for s in slots_of(made, TEACHER)]


def _booked_slots(app):
    """The slot ids of every booking."""
    with app.app_context(), db.connection_context():
        return [b.slot_id for b in MeetingBooking.select()]


def _unexpected(errors):
    """Console errors other than the browser noting a deliberate 409 answer."""
    return [e for e in errors if "status of 409" not in e]


def test_a_parent_books_changes_and_cancels_on_a_phone(app, new_page):
    _round_id, sanne = _round(app)
    page = new_page(viewport=PHONE)
    log_in(page, PARENT, then="/meetings")
    wait_for_htmx(page)
    page.evaluate("() => { window.notReloaded = true; }")

    page.locator(f"button[name=slot][value='{sanne[1]}']").click()
    expect(page.locator(".meetings-booked")).to_contain_text("Geboekt:")
    expect(page.locator("#flash-messages")).to_contain_text("Je krijgt een bevestiging")
    assert path_of(page) == "/meetings"
    # htmx swapped the grid: the page itself was not reloaded.
    assert page.evaluate("() => window.notReloaded === true")
    assert _booked_slots(app) == [sanne[1]]

    page.locator(f"button[name=slot][value='{sanne[3]}']").click()  # change
    expect(page.locator(f"button[name=slot][value='{sanne[1]}']")).to_have_count(1)
    expect(page.locator(f"button[name=slot][value='{sanne[3]}']")).to_have_count(0)
    assert _booked_slots(app) == [sanne[3]]

    page.locator(".meetings-booked button[type=submit]").click()  # cancel
    expect(page.locator("#flash-messages")).to_contain_text("Je gesprek is geannuleerd.")
    expect(page.locator(".meetings-booked")).to_have_count(0)
    assert _booked_slots(app) == []
    assert page.errors == []


def test_the_loser_sees_net_bezet_and_the_refreshed_grid(app, page):
    _round_id, sanne = _round(app)
    log_in(page, PARENT, then="/meetings")
    wait_for_htmx(page)
    with app.app_context(), db.connection_context():  # someone else is quicker
        slot = [s for s in slots_of(MeetingRound.get_by_id(_round_id),
                                    TEACHER) if s.id == sanne[0]][0]
        booking.book(slot, child_of(TWO_GROUP_PARENT, "Groep 1/2A").id,
                     User.by_email(TWO_GROUP_PARENT))
    page.locator(f"button[name=slot][value='{sanne[0]}']").click()
    expect(page.locator("#meetings-grid [role=alert]")).to_contain_text(
        "Net bezet, kies een ander tijdstip.")
    expect(page.locator(f"button[name=slot][value='{sanne[0]}']")).to_have_count(0)
    assert _unexpected(page.errors) == []


def test_booking_works_without_javascript(app, page_without_js):
    page = page_without_js
    _round_id, sanne = _round(app)
    log_in(page, PARENT, then="/meetings")
    page.locator(f"button[name=slot][value='{sanne[2]}']").click()
    expect(page.locator(".flash--success")).to_contain_text("Geboekt:")
    assert _booked_slots(app) == [sanne[2]]


def test_a_parent_of_another_group_sees_no_slots_or_names(app, page):
    _round(app, groups=("Groep 1/2A",))
    with app.app_context(), db.connection_context():
        names = [p.first_name for p in Pupil.select().join(Group).where(
            Group.name == "Groep 1/2A")]
    log_in(page, OTHER_PARENT, then="/meetings")
    text = page.locator("main").inner_text()
    assert "Rapportgesprekken" not in text and "juf Sanne" not in text
    assert page.locator("button[name=slot]").count() == 0
    assert [n for n in names if n in text] == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_grid_editor_and_schedule(app, new_page, viewport):
    round_id, sanne = _round(app)
    with app.app_context(), db.connection_context():
        slots = {s.id: s for s in slots_of(
            MeetingRound.get_by_id(round_id), TEACHER)}
        booking.book(slots[sanne[0]], child_of(TWO_GROUP_PARENT, "Groep 1/2A").id,
                     User.by_email(TWO_GROUP_PARENT))
        booking.block(slots[sanne[1]])
    family = new_page(viewport=viewport)
    log_in(family, TWO_GROUP_PARENT)  # two children: grids, a booking, joining times
    family.goto("/meetings")
    wait_for_htmx(family)
    assert family.locator(".meetings-booked").count() == 1
    assert_no_axe_violations(family)

    staff = new_page(viewport=viewport)
    log_in(staff, TEACHER)
    for path in (f"/meetings/rounds/{round_id}/edit", f"/meetings/rounds/{round_id}/schedule",
                 "/meetings", "/meetings/rounds/new"):
        staff.goto(path)
        wait_for_htmx(staff)
        assert_no_axe_violations(staff)
    staff.goto(f"/meetings/rounds/{round_id}/edit")
    staff.locator("#meetings-block-form button[type=submit]").click()  # nothing filled in
    staff.locator("#meetings-block-form .field__error").first.wait_for()
    assert_no_axe_violations(staff)
    assert family.errors == [] and [e for e in staff.errors if "422" not in e] == []
