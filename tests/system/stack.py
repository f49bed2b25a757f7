"""The production setup of docs/deploy/, started for a test on 127.0.0.1.

nginx runs docs/deploy/nginx-schoolportal.conf; gunicorn and the worker run the ExecStart
lines of the systemd units with the settings of docs/deploy/schoolportal.env. Only ports,
paths, the secret key, the database, the mail server and the cost of password hashing are
replaced: everything the test is about (PROXY_COUNT, MEDIA_SENDFILE, MAX_CONTENT_LENGTH,
secure cookies, the nginx locations) is the shipped text. Every process is stopped when
the test ends.
"""

import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
START_TIMEOUT = 30


@dataclass
class Stack:
    """What a test needs to reach the running setup."""

    https_port: int
    http_port: int
    app_port: int
    cafile: str
    logs: Path
    env: dict


def require_nginx():
    """Skip without nginx, unless REQUIRE_BROWSER=1 (CI): then it is a failure."""
    if Path(NGINX).exists():
        return
    reason = f"nginx not found at {NGINX} (apt-get install nginx; .ci/run does it)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def settings(path=DEPLOY / "schoolportal.env"):
    """The KEY=value lines of the shipped environment file."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _sep, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def exec_lines(unit):
    """The ExecStartPre and ExecStart commands of a shipped systemd unit, as argument lists."""
    commands = []
    for line in (DEPLOY / unit).read_text().splitlines():
        key, _sep, value = line.partition("=")
        if key in ("ExecStartPre", "ExecStart"):
            commands.append(shlex.split(value))
    return commands


def replaced(text, replacements):
    """The text with each replacement made; every original must be in it."""
    for old, new in replacements.items():
        assert old in text, f"the shipped file no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def _wait_for_port(port, process, log):
    """Wait until something accepts connections on the port (or the process died)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process ended early:\n{Path(log).read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}:\n{Path(log).read_text()[-3000:]}")


def _certificate(folder):
    """A self-signed certificate for 127.0.0.1: (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    return cert, key


def _nginx_config(folder, ports, media_root):
    """The shipped site inside a minimal main configuration, as Debian's nginx.conf has it."""
    cert, key = _certificate(folder)
    site = replaced((DEPLOY / "nginx-schoolportal.conf").read_text(), {
        "    listen [::]:80;\n": "", "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{ports['http']};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{ports['app']};",
        "/etc/letsencrypt/live/portal.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/portal.example.org/privkey.pem": str(key),
        "/srv/schoolportal/app/static/": f"{ROOT / 'static'}/",
        "/srv/schoolportal/data/media/": f"{media_root}/",
    })
    (folder / "site.conf").write_text(site)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read pytest's 0700 dirs
    (folder / "nginx.conf").write_text(
        f"daemon off;\n{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        f"    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n    include {folder / 'site.conf'};\n}}\n")
    return cert


def _environment(app, folder, ports, smtp_port):
    """The shipped settings, with this test's ports, paths, key, database and mail server."""
    values = settings()
    values.update({
        "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": app.config["DATABASE_URL"],
        "INSTANCE_PATH": str(folder / "instance"), "MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "STATIC_ROOT": str(ROOT / "static"), "BASE_URL": f"https://127.0.0.1:{ports['https']}",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_USE_TLS": "false",
        "MAIL_USERNAME": "", "MAIL_PASSWORD": "",
        "MAIL_WORKER_INTERVAL": "1", "LOGIN_MAX_FAILURES_PER_ADDRESS": "3",
        # Cheaper password hashing than production's 64 MiB: not what this test is about.
        "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8192",
    })
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_"))},
            **values}


def _local(command):
    """A unit's command with this checkout's virtualenv instead of /srv/schoolportal/venv."""
    venv = ROOT / ".venv" / "bin"
    return [arg.replace("/srv/schoolportal/venv/bin/", f"{venv}/") for arg in command]


def start(app, folder, smtp_port):
    """Start gunicorn, the worker and nginx; returns (Stack, stop function)."""
    ports = {"https": free_port(), "http": free_port(), "app": free_port()}
    env = _environment(app, folder, ports, smtp_port)
    processes, logs = [], folder / "logs"
    logs.mkdir(parents=True)

    def launch(name, command):
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (closed by stop)
        process = subprocess.Popen(command, env=env, cwd=folder, stdout=log,  # noqa: S603
                                   stderr=subprocess.STDOUT, start_new_session=True)
        processes.append((process, log))
        return process

    def stop():
        for process, log in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            log.close()

    try:
        pre, web = (_local(c) for c in exec_lines("schoolportal-web.service"))
        subprocess.run(pre, env=env, cwd=folder, check=True, capture_output=True, timeout=120)
        web = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{ports['app']}") for arg in web]
        gunicorn = launch("web", web)
        [worker] = (_local(c) for c in exec_lines("schoolportal-worker.service"))
        launch("worker", worker)
        cafile = _nginx_config(folder, ports, app.config["MEDIA_ROOT"])
        nginx = [NGINX, "-p", str(folder), "-e", str(folder / "nginx-error.log"),
                 "-c", str(folder / "nginx.conf")]
        checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        server = launch("nginx", nginx)
        _wait_for_port(ports["app"], gunicorn, logs / "web.log")
        _wait_for_port(ports["https"], server, folder / "nginx-error.log")
    except BaseException:
        stop()
        raise
    return Stack(ports["https"], ports["http"], ports["app"], str(cafile), logs, env), stop
