"""Command-line tasks: `flask --app schoolportal <command>`."""

from pathlib import Path

import click

from schoolportal.access import service as access_service
from schoolportal.core import database, retention, sessions, throttle, worker
from schoolportal.core.extensions import db
from schoolportal.notifications import vapid
from schoolportal.system import backup, restore


def register_commands(app):
    """Attach the commands to the app."""

    @app.cli.command("init-db")
    def init_db():
        """Create the database or migrate it to the current schema."""
        with db.connection_context():
            applied = database.migrate()
        click.echo(f"Database is up to date ({len(applied or [])} migrations applied now).")
        _ensure_vapid_keys()

    @app.cli.command("vapid-keys")
    def vapid_keys():
        """Make the VAPID key pair for push notifications when none is configured."""
        _ensure_vapid_keys()

    def _ensure_vapid_keys():
        """Make the push key pair once, and say where it is (back it up with the database)."""
        if app.config.get("VAPID_PRIVATE_KEY"):
            click.echo("Push key pair: from VAPID_PRIVATE_KEY.")
            return
        key, made = vapid.ensure(app)
        click.echo(f"Push key pair {'made' if made else 'present'}: {vapid.key_file(app)} "
                   f"(public key {vapid.public_key(key)}). Back this file up.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Migrate, then fill the demo school (running it twice changes nothing)."""
        from schoolportal import demo  # only here: the running app never imports demo code

        with db.connection_context():
            database.migrate()
            summary = demo.seed()
        click.echo(f"Demo school ready: {summary}")
        _ensure_vapid_keys()
        click.echo("Log in with one of the demo accounts, password: demo-wachtwoord")

    @app.cli.command("purge")
    def purge():
        """Delete expired sessions and login failures, and everything past its retention."""
        with db.connection_context():
            ended = sessions.purge_expired()
            forgotten = throttle.purge_old_attempts()
            requests = access_service.purge_decided(app.config["ACCESS_REQUESTS_KEEP_DAYS"])
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
                       f"daily jobs run: {', '.join(result['jobs']) or 'none'}; "
                       + ", ".join(f"{name}: {count}" for name, count in result["rounds"].items())
                       + ".")
            return
        click.echo("Mail worker running (stop with Ctrl+C).")
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            click.echo("Mail worker stopped.")

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory):
        """Write a dated backup (database, media, manifest) into DIRECTORY; prune old ones."""
        try:
            made = backup.make(directory)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backup written: {made.path} ({len(made.manifest['tables'])} tables, "
                   f"{made.rows} rows, {len(made.manifest['media'])} media files, "
                   f"{made.size / 1_000_000:.1f} MB).")
        for name in made.removed:
            click.echo(f"Removed {name}: older than {app.config['BACKUP_KEEP_DAYS']} days.")

    @app.cli.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--force", is_flag=True,
                  help="Replace a database and media folder that are not empty (their "
                       "contents are lost).")
    @click.option("--erasures", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="Another erasure journal to replay, e.g. from a newer backup kept "
                       "elsewhere (may be given more than once).")
    def restore_command(folder, force, erasures):
        """Restore the backup in FOLDER into an empty database and media folder."""
        try:
            done = restore.run(folder, force=force, journals=erasures)
        except restore.RestoreError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored {done.name}: {done.rows} rows, {done.files} media files; "
                   f"{len(done.migrated)} migrations applied.")
        replayed = ", ".join(f"{count} {event}" for event, count in sorted(done.replayed.items()))
        click.echo(f"Erasures replayed from the journal: {replayed or 'none needed'}.")
