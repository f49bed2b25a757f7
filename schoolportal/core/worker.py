"""The background worker: delivers the outbox and runs the daily jobs.

Areas declare their daily jobs in `jobs.py` (`DAILY_JOBS = {"name": function}`) and
`create_app` adds them here (`add_daily_jobs`). A job runs once per day
(Europe/Amsterdam): the first worker to insert its JobRun row runs it; a unique key makes
a second worker skip it.
"""

import time

from flask import current_app
from peewee import IntegrityError

from schoolportal.core import clock, outbox, retention
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import Heartbeat, JobRun

DAILY_JOBS = {}
ROUND_JOBS = {}  # {name: function() -> count}: run every round, before the mail (pushes)


def add_daily_jobs(jobs):
    """Run these functions once a day ({name: function}; a name added again is replaced)."""
    DAILY_JOBS.update(jobs)


def add_round_jobs(jobs):
    """Run these functions every round ({name: function}; a name added again is replaced)."""
    ROUND_JOBS.update(jobs)


school_today = clock.school_today  # kept under this name: many areas ask the worker


def run_daily_jobs(today=None):
    """Run each daily job that has not run today; returns the names that ran."""
    today = today or school_today()
    ran = []
    for name, job in DAILY_JOBS.items():
        try:
            with write_transaction():
                JobRun.create(name=name, day=today)
        except IntegrityError:
            continue  # it ran today already (here or in another worker)
        job()
        ran.append(name)
    return ran


def retention_purge():
    """Carry out the retention policy (the same as `flask purge`)."""
    retention.run_all(school_today())


DAILY_JOBS["retention_purge"] = retention_purge  # the core's own job, next to its function


def run_once():
    """One round: daily jobs, round jobs (pushes), then every mail that is due; a round that
    ends well is recorded.

    The heartbeat is what /healthz and the admins' system page read: a worker that stopped
    (or fails every round) shows up there as late.
    """
    ran = run_daily_jobs()
    rounds = {name: job() for name, job in ROUND_JOBS.items()}
    sent = failed = 0
    while True:
        batch_sent, batch_failed = outbox.deliver_due()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent == 0 or batch_failed:
            break
    Heartbeat.beat("worker")
    return {"jobs": ran, "sent": sent, "failed": failed, "rounds": rounds}


def run_forever(stop=lambda: False):
    """Work in rounds until stopped, pausing MAIL_WORKER_INTERVAL seconds between them."""
    interval = current_app.config["MAIL_WORKER_INTERVAL"]
    while not stop():
        try:
            with db.connection_context():
                run_once()
        except Exception:  # keep working: the next round may succeed (database restarted)
            current_app.logger.exception("Worker round failed")
        time.sleep(interval)
