"""Command-line tasks: `flask --app schoolportal <command>`."""

import click

from . import access_requests, database, demo, retention, sessions, throttle, worker
from .extensions import db


def register_commands(app):
    """Attach the commands to the app."""

    @app.cli.command("init-db")
    def init_db():
        """Create the database or migrate it to the current schema."""
        with db.connection_context():
            applied = database.migrate()
        click.echo(f"Database is up to date ({len(applied or [])} migrations applied now).")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Migrate, then fill the demo school (running it twice changes nothing)."""
        with db.connection_context():
            database.migrate()
            summary = demo.seed()
        click.echo(f"Demo school ready: {summary}")
        click.echo("Log in with one of the demo accounts, password: demo-wachtwoord")

    @app.cli.command("purge")
    def purge():
        """Delete expired sessions and login failures, and everything past its retention."""
        with db.connection_context():
            ended = sessions.purge_expired()
            forgotten = throttle.purge_old_attempts()
            requests = access_requests.purge_decided(app.config["ACCESS_REQUESTS_KEEP_DAYS"])
            removed = retention.run_all(worker.school_today())
        click.echo(f"Removed {ended} expired sessions, {forgotten} old login failures and "
                   f"{requests} decided access requests.")
        for key, count in removed.items():
            click.echo(f"Retention {key}: removed {count}.")

    @app.cli.command("mail-worker")
    @click.option("--once", is_flag=True, help="Do one round and stop (for cron and tests).")
    def mail_worker(once):
        """Deliver the mail outbox and run the daily jobs."""
        if once:
            with db.connection_context():
                result = worker.run_once()
            click.echo(f"Sent {result['sent']} mails, {result['failed']} failed; "
                       f"daily jobs run: {', '.join(result['jobs']) or 'none'}.")
            return
        click.echo("Mail worker running (stop with Ctrl+C).")
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            click.echo("Mail worker stopped.")
