"""The admins see how the portal runs: the worker's last round, daily jobs, backups, schema."""

import gzip
import hashlib
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from schoolportal.core.clock import utc_now
from schoolportal.core.extensions import db
from schoolportal.core.models import Heartbeat, utcnow
from schoolportal.system import backup, files
from tests.support.browser import DESKTOP, PHONE, assert_no_axe_violations, log_in
from tests.support.queries import statements_for
from tests.support.web import ADMIN, run_worker


def test_admin_sees_when_the_worker_last_ran_and_each_daily_job(app, admin, tmp_path):
    page = admin.get("/admin/system").get_data(as_text=True)
    assert "Achtergrondtaak" in page and "nog nooit gedraaid" in page
    assert "retention_purge" in page and "Back-up" in page

    run_worker(app)
    app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    page = admin.get("/admin/system").get_data(as_text=True)
    assert "op tijd" in page and "nog nooit gedraaid" not in page
    [made] = (tmp_path / "backups").iterdir()
    assert made.name in page
    assert page.count("nooit") == 0  # every daily job ran in the worker's round


def test_the_admin_home_page_warns_only_while_the_worker_is_not_running(app, admin):
    assert "De achtergrondtaak draait niet" in admin.get("/").get_data(as_text=True)
    run_worker(app)
    assert "De achtergrondtaak draait niet" not in admin.get("/").get_data(as_text=True)
    with app.app_context(), db.connection_context():
        Heartbeat.update(last_success_at=utcnow() - timedelta(hours=3)).execute()
    home = admin.get("/").get_data(as_text=True)
    assert "De achtergrondtaak draait niet" in home and "Zijn laatste ronde eindigde" in home


def test_only_admins_see_the_system_page(parent, teacher, client):
    assert parent.get("/admin/system").status_code == 403
    assert teacher.get("/admin/system").status_code == 403
    assert client.get("/admin/system").status_code == 302


def test_the_system_page_is_small_and_few_queries(app, admin):
    run_worker(app)
    assert statements_for(admin, "/admin/system") <= 10
    assert len(gzip.compress(admin.get("/admin/system").get_data())) <= 14 * 1024


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_axe_violations_on_the_system_page(app, page):
    log_in(page, ADMIN)
    page.goto("/admin/system")
    assert "Systeem" in page.locator("main h1").inner_text()
    assert_no_axe_violations(page)
    page.goto("/")
    assert "De achtergrondtaak draait niet" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    assert page.errors == []


def test_static_links_carry_the_hash_of_the_file_and_change_with_it(app, client, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    css = static / "css" / "app.css"
    first = hashlib.sha256(css.read_bytes()).hexdigest()[:10]
    assert f'href="/static/css/app.css?v={first}"' in client.get("/login").get_data(as_text=True)
    css.write_text(css.read_text() + "\n/* changed */\n")
    second = hashlib.sha256(css.read_bytes()).hexdigest()[:10]
    html = client.get("/login").get_data(as_text=True)
    assert second != first and f'href="/static/css/app.css?v={second}"' in html
    assert client.get(f"/static/css/app.css?v={second}").status_code == 200


def test_old_backups_are_deleted_after_a_new_one_is_complete(app, db_ctx, tmp_path):
    now = utc_now()
    directory = tmp_path / "backups"
    old = backup.make(directory, now=now - timedelta(days=31)).path
    recent = backup.make(directory, now=now - timedelta(days=29)).path
    (directory / "photos-of-the-trip").mkdir()  # not ours: never touched
    crashed = directory / ".partial-schoolportal-2020-01-01-000000"
    crashed.mkdir()
    made = backup.make(directory, now=now)
    assert made.removed == [old.name]
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [recent.name, made.path.name, "photos-of-the-trip", crashed.name])  # crashed: < 1 day
    assert files.read_manifest(made.path)["name"] == made.path.name
    assert not Path(old).exists()
