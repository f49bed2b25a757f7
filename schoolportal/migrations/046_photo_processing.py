"""Photos processed by the worker: photo.state and photo.claimed_until."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add photo.state (existing photos are ready) and photo.claimed_until, with an index."""
    migrator.add_fields(
        "photo",
        state=pw.CharField(max_length=8, default="ready", constraints=[
            pw.Check("state IN ('waiting','ready','failed')")]),
        claimed_until=pw.DateTimeField(null=True),
    )
    migrator.add_index("photo", "state", "claimed_until")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the index and the two columns."""
    migrator.drop_index("photo", "state", "claimed_until")
    migrator.remove_fields("photo", "state", "claimed_until")
