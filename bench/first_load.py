"""Benchmark: the first load of each demo role's pages, with the manifest and the service worker.

    .venv/bin/python bench/first_load.py          # a few seconds

Seeds the whole demo school (every area's examples, photos included) into a temporary
SQLite database, logs in through the real form as each demo role and prints, per page, the
gzip size of the HTML plus every stylesheet, script and icon it links (photos left out, as
in the 40 KB rule), and for the home page also with /manifest.webmanifest and /sw.js, and
the number of SQL statements the page runs. The temporary directory is removed at the end.
"""

import gzip
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLES = ("ouder.jansen@example.org", "ouder.elmansouri@example.org", "juf.sanne@example.org",
         "directie@example.org")
PAGES = ("/", "/feed", "/menu", "/afwezigheid", "/agenda")
LIMIT = 40 * 1024


def main():
    """Seed, measure, print, clean up."""
    folder = Path(tempfile.mkdtemp(prefix="schoolportal-first-load-"))
    os.environ.update(SCHOOLPORTAL_CONFIG="development", INSTANCE_PATH=str(folder),
                      DATABASE_URL=f"sqlite:///{folder / 'bench.db'}", MAIL_BACKEND="portal")
    try:
        from schoolportal import create_app, demo
        from schoolportal.core import database
        from schoolportal.core.extensions import db
        from tests.support.queries import QueryCounter
        from tests.support.web import login
        from tests.support.weight import first_load_bytes

        app = create_app()
        app.config["MEDIA_ROOT"] = str(folder / "media")
        with app.app_context(), db.connection_context():
            database.migrate()
            demo.seed()
        for email in ROLES:
            client = app.test_client()
            login(client, email)
            for page in PAGES:
                client.get(page)  # the first visit also records reads; measure the next one
                with QueryCounter() as counter:
                    status = client.get(page).status_code
                if status != 200:
                    continue
                size = first_load_bytes(client, page)
                line = f"{email:32} {page:14} {size:6} bytes gzip, {counter.count:3} SQL"
                if page == "/":
                    extra = sum(len(gzip.compress(client.get(url).get_data()))
                                for url in ("/manifest.webmanifest", "/sw.js"))
                    line += f"; with manifest and sw.js {size + extra} bytes"
                print(line + ("" if size <= LIMIT else "  OVER 40 KB"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
