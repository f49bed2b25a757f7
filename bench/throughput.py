"""Benchmark: requests per second of the parent's home and feed against bare Flask.

    .venv/bin/python bench/throughput.py                 # about a minute on 2 cores
    .venv/bin/python bench/throughput.py --seconds 3 --rounds 2 --clients 4

Seeds the demo school (`flask seed-demo`) into a temporary SQLite database and starts two
gunicorn servers on 127.0.0.1 with the same number of sync workers: the portal, and a bare
Flask app that returns the very bytes the portal gave the parent for the same paths. Then,
round after round, each path is loaded by `--clients` client processes (a new connection per
request, as gunicorn's sync workers close them) for `--seconds` on the portal and then on the
bare app, so both see the same noise from the machine. It prints per path and server the
requests per second, client-side p50/p95 in milliseconds, and the ratio portal / bare.

The clients run on the same machine and take CPU from the servers: the bare app's figure is
a floor of what Flask can do here, not a ceiling. Every loop is bounded in time; both
servers are stopped and the temporary directory removed at the end.
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from feed import free_port, get, log_in  # noqa: E402 (bench/feed.py: the benches' HTTP helpers)

PARENT = "ouder.jansen@example.org"
DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 (the demo school's documented password)
PATHS = ("/", "/feed")
BARE_APP = '''"""The bare Flask app: the portal's bytes for each path, nothing else."""
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
PAGES = {"/": Path("home.html").read_bytes(), "/feed": Path("feed.html").read_bytes()}


@app.get("/")
def home():
    return Response(PAGES["/"], mimetype="text/html")


@app.get("/feed")
def feed():
    return Response(PAGES["/feed"], mimetype="text/html")


@app.get("/login")
def login():
    return "ok"
'''


def environment(directory):
    """The settings of the portal's gunicorn and of seed-demo."""
    return {
        "SCHOOLPORTAL_CONFIG": "production", "SECRET_KEY": "throughput-" + os.urandom(16).hex(),
        "DATABASE_URL": f"sqlite:///{directory}/bench.db", "MEDIA_ROOT": f"{directory}/media",
        "INSTANCE_PATH": str(directory), "SESSION_COOKIE_SECURE": "false",
        "MAIL_BACKEND": "portal", "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
        "BASE_URL": "http://127.0.0.1",
    }


def start(app_spec, env, cwd, workers, log_path):
    """gunicorn with `workers` sync workers on 127.0.0.1; returns (process, port)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", app_spec]
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=log,  # noqa: S603
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/login")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise RuntimeError(f"gunicorn ({app_spec}) did not start:\n" + Path(log_path).read_text())


def _client(args):
    """One client process: GET the path until the deadline; returns the latencies (ms)."""
    port, path, cookie, deadline = args
    times = []
    while time.time() < deadline:
        began = time.perf_counter()
        status = get(port, path, cookie)[0]
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        times.append((time.perf_counter() - began) * 1000)
    return times


def load(pool, port, path, cookie, clients, seconds):
    """(requests per second, latencies) of `clients` processes for `seconds`."""
    began = time.time()
    deadline = began + seconds
    results = pool.map(_client, [(port, path, cookie, deadline)] * clients)
    elapsed = time.time() - began
    times = [t for result in results for t in result]
    return len(times) / elapsed, times


def percentile(values, share):
    """The value below which `share` of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv=None):
    """Seed, start both servers, measure interleaved, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (each)")
    parser.add_argument("--clients", type=int, default=4, help="client processes at once")
    parser.add_argument("--seconds", type=float, default=4, help="per path, server and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="schoolportal-throughput-"))
    processes = []
    try:
        env = environment(directory)
        subprocess.run([sys.executable, "-m", "flask", "--app", "schoolportal", "seed-demo"],  # noqa: S603
                       cwd=ROOT, env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        portal, portal_port = start("schoolportal:create_app()", env, ROOT, args.workers,
                                    directory / "portal.log")
        processes.append(portal)
        cookie = log_in(portal_port, PARENT, DEMO_PASSWORD)
        for path, name in zip(PATHS, ("home.html", "feed.html"), strict=True):
            status, _headers, body = get(portal_port, path, cookie)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            (directory / name).write_bytes(body)
        (directory / "bare.py").write_text(BARE_APP)
        bare, bare_port = start("bare:app", {}, directory, args.workers, directory / "bare.log")
        processes.append(bare)
        with open("/proc/loadavg") as loadavg:
            print(f"load average before: {loadavg.read().split()[0]}; "
                  f"{os.cpu_count()} CPUs; gunicorn {args.workers} sync workers each; "
                  f"{args.clients} client processes; {args.rounds} rounds of {args.seconds} s")
        measured = {(path, server): ([], []) for path in PATHS for server in ("portal", "bare")}
        with multiprocessing.Pool(args.clients) as pool:
            for _round in range(args.rounds):
                for path in PATHS:
                    for server, port in (("portal", portal_port), ("bare", bare_port)):
                        rate, times = load(pool, port, path, cookie, args.clients, args.seconds)
                        measured[path, server][0].append(rate)
                        measured[path, server][1].extend(times)
        print(f"{'path':8} {'server':7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for path in PATHS:
            for server in ("portal", "bare"):
                rates, times = measured[path, server]
                print(f"{path:8} {server:7} {statistics.median(rates):8.1f} "
                      f"{percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}")
            portal_rate = statistics.median(measured[path, "portal"][0])
            bare_rate = statistics.median(measured[path, "bare"][0])
            ratios = [p / b for p, b in zip(measured[path, "portal"][0],
                                            measured[path, "bare"][0], strict=True)]
            print(f"{path:8} ratio portal/bare {portal_rate / bare_rate:.3f} "
                  f"(per round {min(ratios):.3f}-{max(ratios):.3f}; target 0.10)")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
