"""Bookings in a rush, over HTTP, against gunicorn with several workers (SQLite or PostgreSQL).

Parents and their sessions are inserted directly (no password hashing, no login form);
their cookies are signed with the server's key. Everything is bounded in count and time.
The full 200-parent run is bench/meetings_load.py.
"""

import time

import pytest

from bench.meetings_load import (
    TAKEN_NL,
    Gunicorn,
    cookie_and_token,
    open_round_for,
    race_for_one_slot,
    request,
    rush,
    seed_families,
    summary,
    tap,
)
from schoolportal.core.extensions import db
from schoolportal.core.models import Guardianship
from schoolportal.meetings.models import MeetingBooking, MeetingSlot

FAMILY_BUSY_NL = "Op dat tijdstip heb je al een ander gesprek."


def _prepare(app, count, teachers, slots_per_teacher):
    """Families with one child each and an open round; returns (parents with cookies, slots)."""
    with app.app_context(), db.connection_context():
        groups, parents = seed_families(count, teachers=teachers)
        meeting_round = open_round_for(groups, slots_per_teacher)
        slots = [s.id for s in MeetingSlot.select().where(MeetingSlot.round == meeting_round)
                 .order_by(MeetingSlot.teacher, MeetingSlot.starts_at)]
    return [(u, p, *cookie_and_token(k)) for u, p, k in parents], slots


def _server(app, tmp_path):
    """gunicorn on this test's database: 3 workers with 4 threads each."""
    return Gunicorn(app.config["DATABASE_URL"], workers=3, threads=4, log_dir=tmp_path)


def _bookings(app):
    """The slot ids of every booking."""
    with app.app_context(), db.connection_context():
        return [b.slot_id for b in MeetingBooking.select()]


def _clean(log):
    """True when the server log has no traceback and no locked database."""
    return "Traceback" not in log and "database is locked" not in log


def test_fifty_parents_tap_the_same_time_at_once_and_one_gets_it(app, tmp_path):
    parents, slots = _prepare(app, 50, teachers=1, slots_per_teacher=10)
    started = time.monotonic()
    with _server(app, tmp_path) as server:
        answers = race_for_one_slot(server.base, parents, slots[0])
        log = server.log_text()
    statuses = [status for status, _text, _ms in answers]
    assert statuses.count(302) == 1, statuses
    assert statuses.count(409) == 49, statuses
    for status, text, _ms in answers:
        assert "database is locked" not in text
        if status == 409:
            assert TAKEN_NL in text and 'name="slot"' in text  # the refreshed grid
    assert _clean(log), log[-3000:]
    assert _bookings(app) == [slots[0]]
    assert time.monotonic() - started < 45


def test_a_rush_books_every_parent_a_different_time(app, tmp_path):
    parents, slots = _prepare(app, 60, teachers=2, slots_per_teacher=30)
    with _server(app, tmp_path) as server:
        results, wall = rush(server.base, parents, concurrency=16)
        log = server.log_text()
    figures = summary(results, wall)
    print("rush:", figures)
    assert figures["booked"] == 60 and figures["server_errors"] == 0 and figures["locked"] == 0
    booked = _bookings(app)
    assert len(booked) == len(set(booked)) == 60
    assert _clean(log), log[-3000:]
    assert wall < 40


def _one_family_in_two_groups(app):
    """Make the two seeded parents one family: both guardians of both children."""
    parents, slots = _prepare(app, 2, teachers=2, slots_per_teacher=6)
    (first, first_child, *_a), (second, second_child, *_b) = parents
    with app.app_context(), db.connection_context():
        Guardianship.insert_many([{"guardian": first, "pupil": second_child},
                                  {"guardian": second, "pupil": first_child}]).execute()
    return parents, slots[:6], slots[6:]


@pytest.mark.parametrize("same_guardian", [False, True], ids=["two guardians", "one guardian"])
def test_a_family_booking_overlapping_times_at_the_same_moment_gets_one(app, tmp_path,
                                                                        same_guardian):
    parents, first_teacher, second_teacher = _one_family_in_two_groups(app)
    mother, father = parents
    if same_guardian:
        father = (father[0], father[1], mother[2], mother[3])  # the mother on two phones
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with _server(app, tmp_path) as server:
        for index in range(4):  # the same times at both teachers: they overlap completely
            barrier = threading.Barrier(2)

            def go(job, index=index, barrier=barrier):
                """Tap at the same moment as the other phone."""
                parent, slot = job
                request(server.base, "GET", "/login")
                barrier.wait(timeout=30)
                return tap(server.base, parent, slot, htmx=False)

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(go, [(mother, first_teacher[index]),
                                             (father, second_teacher[index])]))
            statuses = sorted(status for status, _text, _ms in answers)
            assert statuses == [302, 409], answers
            [loser] = [text for status, text, _ms in answers if status == 409]
            assert FAMILY_BUSY_NL in loser
            with app.app_context(), db.connection_context():
                MeetingBooking.delete().execute()
                MeetingSlot.update(status="free").execute()
        log = server.log_text()
    assert _clean(log), log[-3000:]
