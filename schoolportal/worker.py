"""The background worker: delivers the outbox and runs the daily jobs.

Feature modules register daily jobs with `@daily_job("name")`. A job runs once per day
(Europe/Amsterdam): the first worker to insert its JobRun row runs it; a unique key makes
a second worker skip it.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from peewee import IntegrityError

from . import outbox, retention
from .database import write_transaction
from .extensions import db
from .models.mail import JobRun

DAILY_JOBS = {}


def daily_job(name):
    """Register a function to run once a day."""

    def register(function):
        DAILY_JOBS[name] = function
        return function

    return register


def school_today():
    """Today's date at the school."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).date()


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


@daily_job("retention_purge")
def retention_purge():
    """Carry out the retention policy (the same as `flask purge`)."""
    retention.run_all(school_today())


def run_once():
    """One round: run the daily jobs, then deliver every mail that is due."""
    ran = run_daily_jobs()
    sent = failed = 0
    while True:
        batch_sent, batch_failed = outbox.deliver_due()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent == 0 or batch_failed:
            break
    return {"jobs": ran, "sent": sent, "failed": failed}


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
