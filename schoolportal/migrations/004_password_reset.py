"""Password resets: single-use links for a forgotten password, and the requests to throttle."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the password_reset table."""

    @migrator.create_model
    class PasswordReset(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254, index=True)
        ip = pw.CharField(max_length=45, index=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], null=True, on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, null=True, unique=True)
        created_at = pw.DateTimeField(index=True)
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "password_reset"
            constraints = [pw.Check("(user_id IS NULL) = (token_hash IS NULL)")]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the table this migration created."""
    migrator.remove_model("password_reset")
