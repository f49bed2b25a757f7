"""Benchmark: the feed page of a realistic school, served by gunicorn with several workers.

    .venv/bin/python bench/feed.py                    # about a minute on 2 cores
    .venv/bin/python bench/feed.py --requests 300 --workers 2

Builds, in a temporary SQLite database: 450 pupils in 16 groups, the groups of three school
years, about 720 parent accounts, about 3,000 posts (school-wide and per group) and about
30,000 reactions, with read receipts. Then starts gunicorn on 127.0.0.1, logs in as a
parent and as a teacher through the real login form, and measures:

- the server time of GET /feed (gunicorn's own request time, %(D)s), p50 and p95, for the
  parent (one client, then three clients at once) and for the teacher;
- the first load of /feed in bytes gzip (HTML, CSS, JavaScript; there are no photos).

Every loop is bounded in requests and in seconds; gunicorn is stopped by its own pid and
the temporary directory is removed at the end.
"""

import argparse
import gzip
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from schoolportal.core.models import school_year_of

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "feed-bench-" + secrets.token_hex(24)
PASSWORD = "bench-wachtwoord-2026"  # noqa: S105 (accounts in a throwaway database)
GROUP_NAMES = ["1/2A", "1/2B", "1/2C", "3A", "3B", "4A", "4B", "5A", "5B", "6A", "6B", "7A",
               "7B", "8A", "8B", "8C"]
PUPILS = 450
POSTS_PER_GROUP_YEAR = 60  # 16 groups x 3 years x 60 = 2,880 group posts
SCHOOL_POSTS_PER_YEAR = 40  # and 120 school-wide: 3,000 posts
REACTIONS_PER_POST = 10  # about 30,000 reactions on the group posts
TIME_LIMIT = 120  # seconds for all measuring together
FIRST_NAMES = ["Emma", "Noah", "Julia", "Liam", "Mila", "Luca", "Tess", "Finn", "Sara", "Daan",
               "Zoë", "Levi", "Nora", "Mees", "Fleur", "Bram", "Lina", "Jesse", "Isa", "Milan"]
LAST_NAMES = ["de Jong", "de Vries", "van den Berg", "van Dijk", "Visser", "Smit", "Meijer",
              "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Yilmaz", "Kaya", "Nguyen"]
BODY = ("Vandaag hebben we in de klas **veel geleerd** over de herfst. We zochten kastanjes, "
        "bekeken paddenstoelen en schreven er een verhaal over.\n\n- Neem morgen laarzen mee\n"
        "- Vergeet de gymtas niet\n\nFijn weekend allemaal!")
REACTIONS = ["Wat leuk, dank je wel!", "Mijn kind vertelde er thuis over.", "Komt goed!",
             "Super, we nemen het mee.", "Gezellig! Tot maandag."]


def environment(directory):
    """The settings both this process and gunicorn use."""
    return {
        "SCHOOLPORTAL_CONFIG": "production", "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{directory}/bench.db", "MEDIA_ROOT": f"{directory}/media",
        "INSTANCE_PATH": str(directory), "SESSION_COOKIE_SECURE": "false",
        "MAIL_BACKEND": "portal", "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
    }


# --- Building the school -------------------------------------------------------------------

def build_school(rng):
    """Fill the database; returns (parent email, teacher email) to measure with."""
    from schoolportal.auth.passwords import hash_password
    from schoolportal.core import richtext
    from schoolportal.core.database import write_transaction
    from schoolportal.core.models import Group, GroupStaff, Guardianship, Pupil, School, User

    password_hash = hash_password(PASSWORD)
    today = date.today()
    start = int(school_year_of(today)[:4])
    years = [f"{start - k}-{start - k + 1}" for k in range(3)]
    with write_transaction():
        School.create(name="OBS De Benchmark")
        Group.insert_many([{"name": f"Groep {n}", "school_year": y, "sort_order": i}
                           for y in years for i, n in enumerate(GROUP_NAMES)]).execute()
        groups = {(g.school_year, g.name): g.id for g in Group.select()}
        current = [groups[(years[0], f"Groep {n}")] for n in GROUP_NAMES]
        staff = [{"email": f"leerkracht{i}@bench.example", "display_name": f"juf {FIRST_NAMES[i]}",
                  "role": "staff", "password_hash": password_hash} for i in range(16)]
        staff.append({"email": "directie@bench.example", "display_name": "Directie",
                      "role": "admin", "password_hash": password_hash})
        User.insert_many(staff).execute()
        teachers = [u.id for u in User.select().where(User.role == "staff").order_by(User.id)]
        GroupStaff.insert_many([{"staff": teachers[i], "group": groups[(y, f"Groep {n}")]}
                                for y in years for i, n in enumerate(GROUP_NAMES)]).execute()
        family_of = _families(rng, current, password_hash, User, Pupil, Guardianship, today)
        _posts_and_reactions(rng, years, groups, teachers, family_of, richtext)
    parent = (User.select().join(Guardianship, on=(Guardianship.guardian == User.id))
              .where(User.role == "parent").order_by(User.id).first())
    return parent.email, "leerkracht0@bench.example"


def _families(rng, group_ids, password_hash, User, Pupil, Guardianship, today):
    """450 pupils with one or two guardians each; returns {group id: [parent ids]}."""
    pupils = [{"first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
               "birth_date": today - timedelta(days=rng.randint(4 * 365, 12 * 365)),
               "group": group_ids[n % len(group_ids)], "pupil_number": f"B{n:05d}"}
              for n in range(PUPILS)]
    Pupil.insert_many(pupils).execute()
    parents = []
    for n in range(PUPILS):
        for guardian in range(1 + (rng.random() < 0.6)):
            parents.append({"email": f"ouder{n}{'ab'[guardian]}@bench.example",
                            "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                            "role": "parent", "password_hash": password_hash,
                            "mail_notifications": rng.choice(["immediately", "daily", "never"])})
    for chunk in range(0, len(parents), 300):
        User.insert_many(parents[chunk:chunk + 300]).execute()
    users = {u.email: u.id for u in User.select(User.id, User.email).where(User.role == "parent")}
    pupil_ids = {p.pupil_number: (p.id, p.group_id) for p in Pupil.select()}
    links, family_of = [], {}
    for email, user_id in users.items():
        number = int(re.match(r"ouder(\d+)", email).group(1))
        pupil_id, group_id = pupil_ids[f"B{number:05d}"]
        links.append({"guardian": user_id, "pupil": pupil_id})
        family_of.setdefault(group_id, []).append(user_id)
    Guardianship.insert_many(links).execute()
    return family_of


def _posts_and_reactions(rng, years, groups, teachers, family_of, richtext):
    """Posts over three school years, reactions on group posts, and who read what."""
    from schoolportal.core.models import utcnow
    from schoolportal.feed.models import Comment, Post, PostRead

    now, html = utcnow(), richtext.to_html(BODY)
    rows = []
    for age, year in enumerate(years):
        def moment(age=age):
            days = 365 * age + rng.uniform(0, 360)
            return now - timedelta(days=days, minutes=rng.randint(0, 600))

        for i, name in enumerate(GROUP_NAMES):
            rows += [{"author": teachers[i], "group": groups[(year, f"Groep {name}")],
                      "kind": rng.choice(["message", "report", "article"]),
                      "title": f"Nieuws uit groep {name} ({n + 1})", "body": BODY,
                      "body_html": html, "published_at": moment(), "created_at": now,
                      "notified_at": now, "digested_at": now}
                     for n in range(POSTS_PER_GROUP_YEAR)]
        rows += [{"author": teachers[0], "group": None, "kind": "newsletter",
                  "title": f"Nieuwsbrief {n + 1}", "body": BODY, "body_html": html,
                  "published_at": moment(), "created_at": now, "pinned": n == 0 and age == 0,
                  "notified_at": now, "digested_at": now} for n in range(SCHOOL_POSTS_PER_YEAR)]
    for chunk in range(0, len(rows), 500):
        Post.insert_many(rows[chunk:chunk + 500]).execute()
    current = {gid for gid in family_of}
    comments, reads = [], []
    for post in Post.select(Post.id, Post.group, Post.published_at):
        parents = family_of.get(post.group_id, []) if post.group_id in current else []
        if post.group_id is not None:
            writers = parents or teachers
            comments += [{"post": post.id, "author": rng.choice(writers),
                          "body": rng.choice(REACTIONS),
                          "created_at": post.published_at + timedelta(minutes=10 * (n + 1))}
                         for n in range(rng.randint(REACTIONS_PER_POST - 6,
                                                    REACTIONS_PER_POST + 6))]
        readers = parents if post.group_id is not None else rng.sample(
            [p for ps in family_of.values() for p in ps], 200)
        reads += [{"post": post.id, "user": user, "read_at": post.published_at}
                  for user in readers if rng.random() < 0.7]
    for chunk in range(0, len(comments), 1000):
        Comment.insert_many(comments[chunk:chunk + 1000]).execute()
    for chunk in range(0, len(reads), 2000):
        PostRead.insert_many(reads[chunk:chunk + 2000]).on_conflict_ignore().execute()


# --- Serving and measuring -----------------------------------------------------------------

def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, directory, workers):
    """gunicorn on 127.0.0.1 logging each request's time (microseconds); returns (process, port)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--access-logfile", str(directory / "access.log"),
               "--access-logformat", "%(m)s %(U)s %(q)s %(s)s %(D)s",
               "schoolportal:create_app()"]
    log = open(directory / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,  # noqa: S603
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/login")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise RuntimeError("gunicorn did not start:\n" + (directory / "gunicorn.log").read_text())


def get(port, path, cookie=None, headers=None, method="GET", body=None):
    """(status, headers, body) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, data


def log_in(port, email, password=PASSWORD):
    """Log in through the real form; returns the session and known-device cookies."""
    status, headers, page = get(port, "/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    form = urlencode({"email": email, "password": password, "csrf_token": token})
    status, headers, _ = get(port, "/login", cookie, method="POST", body=form,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"login as {email} failed ({status})")
    # The session and the known-device cookie (since passkeys and second factors).
    return "; ".join(value.split(";")[0] for value in headers.get_all("Set-Cookie"))


def first_load(port, cookie):
    """Bytes gzip of /feed and the styles and script it links (no photos exist)."""
    _status, _headers, html = get(port, "/feed", cookie)
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(gzip.compress(get(port, asset.decode())[2]))
    return total, html.count(b'class="card feed-post'), html.count(b'class="feed-comment"')


def hammer(port, cookies, count, deadline, path):
    """`count` GETs of path, spread over the clients (one thread each), until the deadline."""
    def run(cookie):
        done = 0
        while done < count // len(cookies) and time.monotonic() < deadline:
            status = get(port, path, cookie)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            done += 1
        return done

    with ThreadPoolExecutor(len(cookies)) as pool:
        return sum(pool.map(run, cookies))


def server_times(log_path, tag):
    """Milliseconds gunicorn spent on each logged GET /feed of one run (?run=tag)."""
    time.sleep(0.5)  # each worker appends its own lines
    times = []
    for line in log_path.read_text().splitlines():
        parts = line.split()  # an empty query string leaves four
        if parts[:3] == ["GET", "/feed", f"run={tag}"] and parts[3] == "200":
            times.append(int(parts[4]) / 1000)
    return times


def figures(name, times):
    """One printed line: count, p50, p95 and max in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"  {name:<38} n={len(times):>4}  p50 {statistics.median(ordered):6.1f} ms  "
          f"p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms")


def main(argv=None):
    """Build the school, serve it, measure, print the figures, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="feed requests per run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="feed-bench-"))
    env = environment(directory)
    os.environ.update(env)
    process = None
    try:
        started = time.monotonic()
        from schoolportal import create_app
        from schoolportal.core import database
        from schoolportal.core.extensions import db
        from schoolportal.feed.models import Comment, Post, PostRead

        app = create_app()
        with app.app_context(), db.connection_context():
            database.migrate()
            parent_email, teacher_email = build_school(random.Random(4))
            counts = {m.__name__: m.select().count() for m in (Post, Comment, PostRead)}
            people = db.execute_sql("SELECT COUNT(*) FROM pupil").fetchone()[0]
        print(f"Built in {time.monotonic() - started:.1f} s: {people} pupils, "
              f"{counts['Post']} posts, {counts['Comment']} reactions, "
              f"{counts['PostRead']} read receipts (SQLite, {directory})")
        process, port = start_gunicorn(env, directory, args.workers)
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}")
        run(port, directory, parent_email, teacher_email, args.requests)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.keep:
            print(f"Kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def run(port, directory, parent_email, teacher_email, requests):
    """The measurements, all together bounded by TIME_LIMIT."""
    deadline = time.monotonic() + TIME_LIMIT
    log = directory / "access.log"
    parent = log_in(port, parent_email)
    others = [log_in(port, email) for email in ("ouder1a@bench.example", "ouder2a@bench.example")]
    teacher = log_in(port, teacher_email)
    size, posts_shown, reactions_shown = first_load(port, parent)
    print(f"First load of /feed for a parent: {size} bytes gzip ({size / 1024:.1f} KB) with "
          f"{posts_shown} posts and {reactions_shown} reactions shown")
    hammer(port, [parent, *others, teacher], 12, deadline, "/feed?run=warm")  # every worker
    print("Server time of GET /feed (gunicorn's own request time):")
    runs = [("parent, one client", [parent], requests),
            ("3 parents at once", [parent, *others], requests),
            ("teacher (with read counts), one client", [teacher], requests // 2)]
    for number, (name, cookies, count) in enumerate(runs):
        hammer(port, cookies, count, deadline, f"/feed?run={number}")
        figures(name, server_times(log, number))
    if time.monotonic() > deadline:
        print(f"(stopped at the {TIME_LIMIT} s limit)")


if __name__ == "__main__":
    main()
