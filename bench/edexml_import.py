"""Benchmark: an EDEXML export of 1,000 pupils imported into the demo school (target <= 10 s).

    .venv/bin/python bench/edexml_import.py                      # SQLite in a temp dir
    .venv/bin/python bench/edexml_import.py --database-url postgresql://postgres@127.0.0.1:5432/bench

The database is emptied, migrated and seeded with the demo school. The export has 40 groups
of 25 pupils and 40 teachers (tests/support/edexml.py). Three runs are timed, each as the
command `flask import-edexml FILE --apply` does it (read, plan and apply in one
transaction): the first import (40 groups, 1,000 pupils and 40 teacher invitations
created), the same file again (nothing changes), and, as the office's page does it
(preview, then confirm), a later export in which 100 pupils moved to another group, 50 were
renamed and 30 left. Prints seconds per run.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 10.0


def _app(url):
    """An app on the given database, migrated from empty and seeded with the demo school."""
    from config import TestConfig
    from schoolportal import create_app, demo
    from schoolportal.core import database
    from schoolportal.core.extensions import db

    app = create_app(type("BenchConfig", (TestConfig,), {"DATABASE_URL": url}))
    with app.app_context(), db.connection_context():
        if url.startswith("postgres"):
            db.execute_sql("DROP SCHEMA public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
        database.migrate()
        demo.seed(examples=False)
    return app


def _timed(label, function):
    """Run, print and return (seconds, result)."""
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    print(f"{label:<52} {seconds:6.2f} s")
    return seconds, result


def _through_the_page(data, today):
    """Preview, keep and confirm, as the office's page does (the plan is made twice)."""
    from schoolportal.core.models import User
    from schoolportal.imports import edexml_service

    admin = User.get(User.email == "directie@example.org")
    plan = edexml_service.preview(data, today, "EDEX.XML")
    kept = edexml_service.keep_preview(plan, "EDEX.XML", admin)
    return edexml_service.confirm(kept, admin, today)


def main(argv=None):
    """Run the three imports; exit 1 when one takes longer than LIMIT_SECONDS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    from schoolportal.core import worker
    from schoolportal.core.extensions import db
    from schoolportal.imports import edexml_service
    from tests.support.edexml import school_export, to_xml

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.db"
        app = _app(url)
        with app.app_context(), db.connection_context():
            today = worker.school_today()
            data = school_export(today, groups=40, per_group=25)
            first = to_xml(data)
            print(f"{db.obj.__class__.__name__}: {len(data.leerlingen)} pupils, "
                  f"{len(data.groepen)} groups, {len(first) // 1024} KB of EDEXML")
            runs = []
            runs.append(_timed("first import (everything new)", lambda: edexml_service.apply_file(
                first, today, "EDEX.XML")))
            runs.append(_timed("the same file again (nothing changes)",
                               lambda: edexml_service.apply_file(first, today, "EDEX.XML")))
            for n, pupil in enumerate(data.leerlingen[:100]):
                pupil.groep = data.groepen[(n // 25 + 1) % len(data.groepen)][0]  # the next group
            for pupil in data.leerlingen[100:150]:
                pupil.achternaam += "-Smit"
            del data.leerlingen[150:180]
            runs.append(_timed("100 moved, 50 renamed, 30 left out (office's page)",
                               lambda: _through_the_page(to_xml(data), today)))
            plans = [plan for _s, plan in runs]
            assert len(plans[0].new_pupils) == 1000 and not plans[1].has_changes
            assert len(plans[2].moved) == 100 and len(plans[2].updated) == 150
            assert len(plans[2].leaving) == 30 + 60  # the demo school's own 60 pupils too
    slowest = max(seconds for seconds, _plan in runs)
    print(f"slowest run {slowest:.2f} s (limit {LIMIT_SECONDS:.0f} s)")
    return 0 if slowest <= LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
