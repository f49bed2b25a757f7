"""Benchmark: machine instructions per request, counted by valgrind (callgrind), not timed.

    .venv/bin/python bench/instructions.py                       # this checkout, ~3 minutes
    .venv/bin/python bench/instructions.py --rev 928304c         # and another commit beside it
    .venv/bin/python bench/instructions.py --page juf.sanne@example.org /feed --requests 10

On a shared 2-core machine the same request takes 20 % more or less time from one minute to
the next, so a change of 10 % cannot be seen in milliseconds. Instructions executed do not
depend on what else the machine is doing: the same code, data and requests give the same
count to within a few tenths of a percent.

Seeds the demo school (`flask seed-demo`) once into a temporary SQLite database. For each
page, a child process (under `valgrind --tool=callgrind`) copies that database, logs in
with Flask's test client, asks the page 3 times to warm up and then `--requests` times; a
second child does only the warm-up. The difference of their counts, divided by
`--requests`, is what one request costs: routing, policy, building SQL, SQLite itself,
templates (the whole process, C included). With --rev the same runs are made against that
commit, checked out in a temporary git worktree on the same seeded database. Two children
run at a time.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from request_cost import seeded_demo  # noqa: E402 (bench/request_cost.py seeds the same way)

PASSWORD = "demo-wachtwoord"  # noqa: S105 (the demo school's documented password)
PAGES = [("ouder.jansen@example.org", "/"), ("juf.sanne@example.org", "/feed")]
WARM_UP = 3


def child(root, database, email, path, requests):
    """In the counted process: log in and ask the page WARM_UP + requests times."""
    copy = f"{database}.{os.getpid()}"
    shutil.copy(database, copy)
    os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
    sys.path.insert(0, root)
    import logging

    from config import DevConfig
    from schoolportal import create_app

    app = create_app(type("CountConfig", (DevConfig,), {"DATABASE_URL": f"sqlite:///{copy}"}))
    logging.getLogger("schoolportal.requests").handlers[:] = [logging.NullHandler()]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    for _ in range(WARM_UP + requests):
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{email} {path}: {status}")
    os.unlink(copy)


def counted(root, database, env, email, path, requests):
    """Instructions of one child process, as callgrind reports them."""
    result = subprocess.run(  # noqa: S603 (valgrind running our own interpreter and script)
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",  # noqa: S607
         sys.executable, __file__, "--child", root, database, email, path, str(requests)],
        cwd=root, env=env, capture_output=True, text=True, timeout=1800, check=False)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or not found:
        raise SystemExit(f"counting {path} in {root} failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def worktree(rev, directory):
    """A checkout of `rev` with its translations compiled; returns its path."""
    path = Path(directory) / "rev"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev],  # noqa: S603,S607
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d",  # noqa: S603
                    str(path / "schoolportal" / "translations")], check=True)
    return path


def main(argv=None):
    """Seed, then count each page for this checkout (and --rev)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rev", help="also count this commit (a git worktree)")
    parser.add_argument("--page", nargs=2, action="append", metavar=("EMAIL", "PATH"))
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install -y valgrind)")
    pages = [tuple(p) for p in args.page] if args.page else PAGES
    with tempfile.TemporaryDirectory(prefix="instructions-") as directory:
        env = seeded_demo(directory)
        roots = [("this checkout", str(ROOT))]
        try:
            if args.rev:
                roots.append((args.rev, str(worktree(args.rev, directory))))
            runs = [(name, root, email, path, n) for name, root in roots
                    for email, path in pages for n in (0, args.requests)]
            with ThreadPoolExecutor(max_workers=2) as pool:
                counts = list(pool.map(lambda run: counted(
                    run[1], f"{directory}/bench.db", env, run[2], run[3], run[4]), runs))
        finally:
            if args.rev:
                subprocess.run(["git", "worktree", "remove", "--force",  # noqa: S603,S607
                                f"{directory}/rev"], cwd=ROOT, check=False, capture_output=True)
        by_run = dict(zip([(r[0], r[2], r[3], r[4]) for r in runs], counts, strict=True))
        print(f"{'code':16} {'account':28} {'page':10} {'M instructions/request':>22}")
        for name, _root in roots:
            for email, path in pages:
                each = (by_run[(name, email, path, args.requests)]
                        - by_run[(name, email, path, 0)]) / args.requests / 1e6
                print(f"{name:16} {email:28} {path:10} {each:22.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _flag, root_, database_, email_, path_, requests_ = sys.argv[1:]
        child(root_, database_, email_, path_, int(requests_))
    else:
        main()
