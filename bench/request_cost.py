"""Benchmark: what one page costs inside the app, without a web server in between.

    .venv/bin/python bench/request_cost.py            # a few seconds
    .venv/bin/python bench/request_cost.py --requests 50

Seeds the demo school (`flask seed-demo`) into a temporary SQLite database, logs in through
the real form with Flask's test client as a parent and as a teacher, and asks each page
`--requests` times after three warm-up requests. Prints per page the milliseconds per
request and the SQL statements of one request (the request log is kept, written to a
null handler). No sockets: the figure is the app's own CPU
(routing, policy, building SQL, SQLite, templates), the part `bench/throughput.py` compares
with bare Flask.
"""

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "demo-wachtwoord"  # noqa: S105 (the demo school's documented password)
PAGES = {"ouder.jansen@example.org": ("/", "/feed", "/menu", "/agenda", "/groups/1", "/nope"),
         "juf.sanne@example.org": ("/", "/feed", "/menu", "/groups/1", "/nope")}


def seeded_demo(directory):
    """Seed the demo school into a SQLite database in `directory`; returns the environment
    (settings) that reaches it. bench/instructions.py uses it too."""
    env = {**os.environ, "SCHOOLPORTAL_CONFIG": "development", "INSTANCE_PATH": directory,
           "DATABASE_URL": f"sqlite:///{directory}/bench.db",
           "MEDIA_ROOT": f"{directory}/media", "MAIL_BACKEND": "portal"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "schoolportal", "seed-demo"],  # noqa: S603
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    return env


def main(argv=None):
    """Seed, then time each page for each account."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="request-cost-") as directory:
        env = seeded_demo(directory)
        os.environ.update({key: env[key] for key in ("INSTANCE_PATH", "DATABASE_URL",
                                                      "MEDIA_ROOT", "MAIL_BACKEND")})
        from config import DevConfig
        from schoolportal import create_app
        from tests.support.queries import QueryCounter

        config = type("BenchConfig", (DevConfig,), {"DATABASE_URL": env["DATABASE_URL"],
                                                    "MEDIA_ROOT": env["MEDIA_ROOT"]})
        app = create_app(config)
        # The request log is written as in production, to nowhere: the table stays readable.
        logging.getLogger("schoolportal.requests").handlers[:] = [logging.NullHandler()]
        print(f"{'account':28} {'page':10} {'ms/request':>10} {'statements':>10}")
        for email, pages in PAGES.items():
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            client.post("/login", data={"email": email, "password": PASSWORD,
                                        "csrf_token": token})
            for path in pages:
                for _ in range(3):
                    client.get(path)
                started = time.perf_counter()
                for _ in range(args.requests):
                    client.get(path)
                per_request = 1000 * (time.perf_counter() - started) / args.requests
                with QueryCounter() as counter:
                    client.get(path)
                print(f"{email:28} {path:10} {per_request:10.1f} {counter.count:10d}")


if __name__ == "__main__":
    main()
