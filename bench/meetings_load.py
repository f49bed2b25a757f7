"""Load run: a whole meeting round booked by 200 parents at once, over HTTP, against gunicorn.

    .venv/bin/python bench/meetings_load.py                      # SQLite in a temp dir
    .venv/bin/python bench/meetings_load.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Every parent has one child; the round has exactly one free time per parent (4 teachers,
50 times each). All parents start at once: each loads the grid, taps one of the first free
times (so many tap the same one, as at 19:00), and after "net bezet" taps another from the
refreshed grid it got back. At the end every parent must hold one booking and every
booking a different time. Prints the wall time and the p50/p95 latency of a tap.

The tests (tests/test_booking_load.py) use the same pieces with a bounded number of parents.
Servers bind 127.0.0.1 only; every loop is bounded in count and time.
"""

import argparse
import hashlib
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_SECRET = "load-run-secret-" + "x" * 32
COOKIE_NAME = "schoolportal_session"
SLOT_VALUE = re.compile(r'name="slot" value="(\d+)"')
TAKEN_NL = "Net bezet, kies een ander tijdstip."
MAX_TRIES = 30  # taps per parent before giving up (bounded)
TIMEOUT = 30  # seconds for any one HTTP request


# --- Data: parents with a child each, a round with one time per parent ---------------------

def seed_families(count, teachers=4, prefix="load"):
    """Groups with a teacher each and `count` parents with one child; returns the parents.

    Rows go in with insert_many (no password hashing, no mail): each parent is
    (user id, pupil id, session key) with a live AuthSession, ready for a cookie.
    """
    from schoolportal.core.database import write_transaction
    from schoolportal.core.models import AuthSession, Group, GroupStaff, Guardianship, Pupil, User

    per_group = -(-count // teachers)
    with write_transaction():
        groups = []
        for index in range(teachers):
            group = Group.create(name=f"Groep {prefix} {index + 1}", school_year="2099-2100",
                                 sort_order=90 + index)
            teacher = User.create(email=f"{prefix}.leerkracht{index + 1}@example.org",
                                  display_name=f"leerkracht {index + 1}", role="staff")
            GroupStaff.create(staff=teacher, group=group)
            groups.append(group)
        User.insert_many([{"email": f"{prefix}.ouder{i}@example.org",
                           "display_name": f"Ouder {i}", "role": "parent"}
                          for i in range(count)]).execute()
        Pupil.insert_many([{"first_name": f"Kind{i}", "last_name": "Load",
                            "birth_date": date(2018, 1, 1),
                            "group": groups[i // per_group].id} for i in range(count)]).execute()
        users = {u.email: u.id for u in User.select().where(
            User.email.startswith(f"{prefix}.ouder"))}
        pupils = {p.first_name: p.id for p in Pupil.select().where(Pupil.last_name == "Load")}
        parents = []
        for i in range(count):
            key = secrets.token_urlsafe(32)
            parents.append((users[f"{prefix}.ouder{i}@example.org"], pupils[f"Kind{i}"], key))
        Guardianship.insert_many([{"guardian": u, "pupil": p} for u, p, _k in parents]).execute()
        AuthSession.insert_many([{"user": u, "key_hash": hashlib.sha256(k.encode()).hexdigest()}
                                 for u, _p, k in parents]).execute()
    return groups, parents


def open_round_for(groups, slots_per_teacher, slot_minutes=10, title="Rapportgesprekken"):
    """A published round for the groups, open now, with `slots_per_teacher` times each."""
    from schoolportal.core.models import utcnow
    from schoolportal.meetings import rounds
    from schoolportal.meetings.models import MeetingRound

    now = utcnow()
    meeting_round = rounds.save_round(None, {
        "title": title, "kind": "report", "place": "Lokaal 1",
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=3)},
        [g.id for g in groups])
    day = date.today() + timedelta(days=14)
    for teacher in rounds.teachers_of_groups([g.id for g in groups]):
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=8)
        end = start + timedelta(minutes=slot_minutes * slots_per_teacher)
        rounds.add_block(meeting_round, teacher, day, start.time(),
                         end.time() if end.date() == day else datetime.max.time(), slot_minutes)
    MeetingRound.update(published_at=now).where(MeetingRound.id == meeting_round.id).execute()
    return meeting_round


def cookie_and_token(session_key, secret=SERVER_SECRET):
    """A signed session cookie for a server-side session, and the matching CSRF token."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    signer_app = Flask("load")
    signer_app.secret_key = secret
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (what Flask-WTF stores)
    cookie = SecureCookieSessionInterface().get_signing_serializer(signer_app).dumps(
        {"_user_id": session_key, "_fresh": True, "csrf_token": raw})
    token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
    return f"{COOKIE_NAME}={cookie}", token


# --- The server ---------------------------------------------------------------------------

def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the portal on 127.0.0.1 with several workers, stopped on exit."""

    def __init__(self, database_url, workers=3, threads=4, log_dir=None):
        self.port = free_port()
        self.base = ("127.0.0.1", self.port)
        self.log_path = Path(log_dir or tempfile.mkdtemp()) / "gunicorn.log"
        env = {**os.environ, "SCHOOLPORTAL_CONFIG": "production", "SECRET_KEY": SERVER_SECRET,
               "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "false",
               "MAIL_BACKEND": "portal", "BASE_URL": f"http://127.0.0.1:{self.port}"}
        env.pop("TEST_DATABASE_URL", None)
        self.command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                        "--workers", str(workers), "--worker-class", "gthread",
                        "--threads", str(threads), "--chdir", str(ROOT), "--timeout", "60",
                        "--log-level", "warning", "schoolportal:create_app()"]
        self.env = env
        self.process = None

    def __enter__(self):
        """Start and wait (at most 30 s) until it answers."""
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(self.command, env=self.env, stdout=self.log,  # noqa: S603
                                        stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped:\n" + self.log_text())
            try:
                status, _body, _ms = request(self.base, "GET", "/login")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 30 s:\n" + self.log_text())

    def __exit__(self, *exc):
        """Stop our own gunicorn (by its pid) and close the log."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()

    def log_text(self):
        """What gunicorn and the app wrote (errors, tracebacks)."""
        self.log.flush()
        return self.log_path.read_text(errors="replace")


# --- HTTP ---------------------------------------------------------------------------------

_local = threading.local()


def request(base, method, path, body=None, cookie=None, headers=None):
    """One request on this thread's keep-alive connection; (status, text, milliseconds)."""
    connection = getattr(_local, "connection", None)
    if connection is None or getattr(_local, "base", None) != base:
        connection = http.client.HTTPConnection(*base, timeout=TIMEOUT)
        _local.connection, _local.base = connection, base
    sent = {"Host": f"{base[0]}:{base[1]}", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(body)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    except (http.client.HTTPException, OSError):
        _local.connection = None
        connection.close()
        raise
    return response.status, text, (time.perf_counter() - started) * 1000


def tap(base, parent, slot_id, htmx=True):
    """One tap in the grid as the browser does it (with htmx the answer is the new grid).

    Returns (status, page or fragment the parent sees, milliseconds).
    """
    _user, pupil, cookie, token = parent
    headers = {"HX-Request": "true"} if htmx else {}
    status, text, ms = request(base, "POST", "/meetings/book",
                               {"pupil": pupil, "slot": slot_id, "csrf_token": token},
                               cookie, headers)
    return status, text, ms


def rush(base, parents, concurrency=50, seed=7, early=False):
    """Every parent books one time at once; returns the results per parent and the wall time.

    Each parent prefers a point in the evening (more of them early on, as in real life);
    with `early` they all want one of the first five free times. After "net bezet" they
    pick again, from the refreshed grid that came back with the answer.
    """
    rng = random.Random(seed)  # noqa: S311 (a load pattern, not security)
    wishes = {p[0]: rng.random() ** 2 for p in parents}
    barrier = threading.Barrier(min(concurrency, len(parents)))
    first_wave = {p[0] for p in parents[:concurrency]}

    def run(parent):
        """Load the grid, tap the wished-for free time; after a conflict, the next wish."""
        if parent[0] in first_wave:
            barrier.wait(timeout=TIMEOUT)
        _status, page, _ms = request(base, "GET", "/meetings", cookie=parent[2],
                                     headers={"HX-Request": "true"})
        taps, own = [], random.Random(parent[0])  # noqa: S311 (a load pattern)
        for attempt in range(MAX_TRIES):
            free = SLOT_VALUE.findall(page)
            if not free:
                break
            reach = min(len(free), 5) if early else len(free)
            wish = wishes[parent[0]] if attempt == 0 else own.random()  # then: any free time
            status, page, ms = tap(base, parent, free[int(wish * reach)])
            taps.append((status, ms, TAKEN_NL in page, "database is locked" in page))
            if status in (200, 302):
                break
        return parent, taps

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(run, parents))
    return results, time.perf_counter() - started


def race_for_one_slot(base, parents, slot_id):
    """All parents tap the same time at the same moment (plain form posts); the answers."""
    barrier = threading.Barrier(len(parents))

    def run(parent):
        """Wait for everyone, then tap."""
        request(base, "GET", "/login")  # open this thread's connection before the start
        barrier.wait(timeout=TIMEOUT)
        status, text, ms = tap(base, parent, slot_id, htmx=False)
        return status, text, ms

    with ThreadPoolExecutor(max_workers=len(parents)) as pool:
        return list(pool.map(run, parents))


def percentile(values, share):
    """The value below which `share` of the values lie."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(results, wall):
    """The figures of a rush: taps, conflicts, errors, p50/p95 of a tap, wall time."""
    taps = [t for _p, ts in results for t in ts]
    latencies = [ms for _s, ms, _c, _l in taps]
    return {
        "parents": len(results),
        "booked": sum(1 for _p, ts in results if ts and ts[-1][0] in (200, 302)),
        "taps": len(taps),
        "conflicts": sum(1 for s, _ms, c, _l in taps if s == 409 and c),
        "server_errors": sum(1 for s, *_r in taps if s >= 500),
        "locked": sum(1 for *_r, locked in taps if locked),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "wall_s": round(wall, 2),
    }


# --- The command --------------------------------------------------------------------------

def main(argv=None):
    """Prepare a database, start gunicorn, let every parent book, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--early", action="store_true",
                        help="every parent wants one of the first five free times")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="meetings-load-")
    url = args.database_url or f"sqlite:///{workdir}/load.db"
    prepared = prepare(url, args.parents)
    parents = [(u, p, *cookie_and_token(k)) for u, p, k in prepared]
    with Gunicorn(url, args.workers, args.threads, workdir) as server:
        results, wall = rush(server.base, parents, args.concurrency, early=args.early)
        log = server.log_text()
    figures = summary(results, wall)
    figures["unique"] = verify(url)
    figures["log_errors"] = sum(1 for line in log.splitlines()
                                if "Traceback" in line or "database is locked" in line)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    ok = (figures["booked"] == args.parents and figures["unique"] and not figures["server_errors"]
          and not figures["locked"] and not figures["log_errors"])
    return 0 if ok else 1


def _app(url):
    """An app bound to the database URL (for preparing and checking, not for serving)."""
    from config import TestConfig
    from schoolportal import create_app

    return create_app(type("LoadConfig", (TestConfig,), {"DATABASE_URL": url}))


def prepare(url, count):
    """Migrate, seed the demo school, add the load families and their round."""
    from schoolportal import demo
    from schoolportal.core import database
    from schoolportal.core.extensions import db

    app = _app(url)
    with app.app_context(), db.connection_context():
        if url.startswith("postgres"):
            db.execute_sql("DROP SCHEMA public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
        database.migrate()
        demo.seed(examples=False)
        groups, parents = seed_families(count)
        open_round_for(groups, -(-count // len(groups)))
    return parents


def verify(url):
    """True when every booking has its own slot and every booked slot one booking."""
    from schoolportal.core.extensions import db
    from schoolportal.meetings.models import MeetingBooking, MeetingSlot

    with _app(url).app_context(), db.connection_context():
        slots = [b.slot_id for b in MeetingBooking.select()]
        booked = MeetingSlot.select().where(MeetingSlot.status == "booked").count()
        return len(slots) == len(set(slots)) == booked


if __name__ == "__main__":
    sys.exit(main())
