"""/healthz: 200 while the database answers and the worker runs, 503 when either stops."""

import json
import logging
import shutil
from datetime import timedelta

import pytest

from schoolportal.core import database, requestlog
from schoolportal.core.extensions import db
from schoolportal.core.models import Heartbeat, User, utcnow
from tests.support.smtp import free_port
from tests.support.web import PARENT, run_worker
from tests.system.schools import portal


def _health(client):
    """(status code, body) of /healthz."""
    response = client.get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_healthz_is_200_with_the_database_up_and_the_worker_on_time(app, client):
    assert _health(client) == (503, {"status": "unavailable", "database": "ok",
                                     "worker": "never"})
    run_worker(app)
    assert _health(client) == (200, {"status": "ok", "database": "ok", "worker": "ok"})
    with app.app_context(), db.connection_context():
        Heartbeat.update(last_success_at=utcnow() - timedelta(minutes=16)).execute()
    assert _health(client) == (503, {"status": "unavailable", "database": "ok",
                                     "worker": "late"})


def test_healthz_is_503_while_the_database_is_down_and_200_when_it_is_back(tmp_path):
    app = portal(f"sqlite:///{tmp_path / 'portal.db'}", tmp_path)
    with app.app_context(), db.connection_context():
        database.migrate()
    run_worker(app)
    client = app.test_client()
    assert _health(client)[0] == 200

    shutil.move(tmp_path / "portal.db", tmp_path / "away.db")
    (tmp_path / "portal.db").write_bytes(b"this is no database" * 512)  # a broken disk
    assert _health(client) == (503, {"status": "unavailable", "database": "down",
                                     "worker": "unknown"})

    (tmp_path / "portal.db").unlink()
    shutil.move(tmp_path / "away.db", tmp_path / "portal.db")
    assert _health(client)[0] == 200


def test_healthz_is_503_when_the_postgresql_server_does_not_answer(tmp_path):
    app = portal(f"postgresql://postgres@127.0.0.1:{free_port()}/schoolportal", tmp_path)
    client = app.test_client()
    assert _health(client) == (503, {"status": "unavailable", "database": "down",
                                     "worker": "unknown"})


def test_healthz_needs_no_login_and_tells_nothing_more_to_a_logged_in_parent(app, parent):
    run_worker(app)
    status, body = _health(parent)
    assert status == 200 and set(body) == {"status", "database", "worker"}


@pytest.fixture
def request_log(caplog, monkeypatch):
    """The lines of the request log, as dicts."""
    # A production app made earlier in the run gave the logger its own stderr handler.
    monkeypatch.setattr(requestlog.LOGGER, "propagate", True)
    caplog.set_level(logging.INFO, logger="schoolportal.requests")

    def lines():
        return [json.loads(r.getMessage()) for r in caplog.records
                if r.name == "schoolportal.requests"]

    return lines


def test_one_line_per_request_with_ids_and_codes_only(app, parent, request_log, caplog):
    with app.app_context(), db.connection_context():
        parent_id = User.by_email(PARENT).id
    caplog.clear()
    parent.get("/")
    parent.get("/groups/999999?q=Sem Jansen")
    anonymous = app.test_client()
    anonymous.post("/login", data={"email": "ouder.jansen@example.org", "password": "x"})

    home, missing, login = request_log()
    assert home["event"] == "request" and home["method"] == "GET"
    assert (home["endpoint"], home["status"], home["user"]) == ("home.index", 200, parent_id)
    assert isinstance(home["ms"], float) and home["at"].endswith("Z")
    assert (missing["endpoint"], missing["status"], missing["user"]) == (
        "spaces.group", 404, parent_id)
    assert (login["method"], login["endpoint"], login["user"]) == ("POST", "auth.login_submit",
                                                                  None)
    assert login["status"] == 400  # no CSRF token: refused, and still one line
    text = caplog.text.lower()
    assert "jansen" not in text and "@" not in text and "/groups" not in text
