"""How the portal itself is doing: /healthz for a monitor, the system page for the admins.

/healthz says two things and nothing else (no data, no error text): whether the database
answers, and whether the worker finished a round in the last WORKER_LATE_MINUTES. Both
matter: without the worker no mail goes out and no retention purge runs. The admins' page
adds when each daily job and the last backup ran, the mail queue and the schema version.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from peewee import fn

from schoolportal.core import database, worker
from schoolportal.core.extensions import db
from schoolportal.core.models import MAIL_DEAD, MAIL_PENDING, Heartbeat, JobRun, OutboxMail, utcnow

BACKUP_LATE = timedelta(days=2)  # backups run daily; two days without one is worth a warning


@dataclass(frozen=True)
class Health:
    """The answer of /healthz."""

    database: bool
    worker: str  # "ok", "late", "never" (no round recorded) or "unknown" (database down)

    @property
    def ok(self):
        """True when the database answers and the worker is on time."""
        return self.database and self.worker == "ok"

    def as_dict(self):
        """The body of /healthz: states only."""
        return {"status": "ok" if self.ok else "unavailable",
                "database": "ok" if self.database else "down", "worker": self.worker}


def check():
    """Ask the database on a connection of our own, then read the worker's heartbeat."""
    try:
        database.check_file_anew()
        with db.connection_context():
            db.execute_sql("SELECT 1")
            try:
                last = Heartbeat.last("worker")
            except Exception:  # a schema without the table (not migrated yet)
                current_app.logger.warning("Health check: no heartbeat table (run init-db)")
                return Health(True, "unknown")
    except Exception:  # whatever the reason, the database does not answer
        current_app.logger.exception("Health check: the database does not answer")
        return Health(False, "unknown")
    return Health(True, worker_state(last))


def worker_state(last):
    """"ok", "late" or "never" for the time of the worker's last good round."""
    if last is None:
        return "never"
    late = timedelta(minutes=current_app.config["WORKER_LATE_MINUTES"])
    return "ok" if utcnow() - last <= late else "late"


def overview():
    """What the admins' system page shows, in four queries."""
    beats = {beat.name: beat for beat in Heartbeat.select()}
    worker_beat, backup_beat = beats.get("worker"), beats.get("backup")
    last_runs = dict(JobRun.select(JobRun.name, fn.MAX(JobRun.day))
                     .group_by(JobRun.name).tuples())
    mail = dict(OutboxMail.select(OutboxMail.status, fn.COUNT(OutboxMail.id))
                .where(OutboxMail.status.in_([MAIL_PENDING, MAIL_DEAD]))
                .group_by(OutboxMail.status).tuples())
    applied = [name for (name,) in db.execute_sql("SELECT name FROM migratehistory ORDER BY id")]
    available = sorted(path.stem for path in database.MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.py"))
    backup_last = backup_beat.last_success_at if backup_beat else None
    return {
        "worker": {"last": worker_beat.last_success_at if worker_beat else None,
                   "state": worker_state(worker_beat.last_success_at if worker_beat else None),
                   "late_minutes": current_app.config["WORKER_LATE_MINUTES"]},
        "backup": {"last": backup_last, "name": backup_beat.detail if backup_beat else "",
                   "state": "never" if backup_last is None else
                   "ok" if utcnow() - backup_last <= BACKUP_LATE else "late"},
        "jobs": [(name, last_runs.get(name)) for name in sorted(worker.DAILY_JOBS)],
        "mail": {"pending": mail.get(MAIL_PENDING, 0), "dead": mail.get(MAIL_DEAD, 0)},
        "database": {"engine": "SQLite" if database.is_sqlite() else "PostgreSQL",
                     "migration": applied[-1] if applied else None,
                     "pending": [name for name in available if name not in set(applied)]},
    }
