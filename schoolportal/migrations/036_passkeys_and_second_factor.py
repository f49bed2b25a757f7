"""Passkeys, their challenges, authenticator apps, recovery codes and the staff grace period."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create passkey, passkey_challenge, authenticator_app, recovery_code and
    second_factor_obligation."""
    account = migrator.orm['account']

    @migrator.create_model
    class Passkey(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=account, on_delete='CASCADE')
        credential_id = pw.CharField(max_length=1400, unique=True)
        user_handle = pw.CharField(max_length=100)
        public_key = pw.TextField()
        sign_count = pw.BigIntegerField(default=0)
        name = pw.CharField(max_length=60)
        transports = pw.CharField(default='', max_length=200)
        backed_up = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "passkey"

    @migrator.create_model
    class PasskeyChallenge(pw.Model):
        id = pw.AutoField()
        key_hash = pw.CharField(max_length=64, unique=True)
        ceremony = pw.CharField(max_length=8, constraints=[
            pw.Check("ceremony IN ('register','login','second')")])
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=account, null=True, on_delete='CASCADE')
        challenge = pw.CharField(max_length=100)
        user_handle = pw.CharField(max_length=100, null=True)
        expires_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "passkey_challenge"

    @migrator.create_model
    class AuthenticatorApp(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=account, on_delete='CASCADE', unique=True)
        secret = pw.TextField()
        confirmed_at = pw.DateTimeField(null=True)
        last_used_step = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "authenticator_app"

    @migrator.create_model
    class RecoveryCode(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=account, on_delete='CASCADE')
        salt = pw.CharField(max_length=32)
        code_hash = pw.CharField(max_length=64)
        used_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "recovery_code"

    @migrator.create_model
    class SecondFactorObligation(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=account, on_delete='CASCADE', unique=True)
        applies_since = pw.DateTimeField()

        class Meta:
            table_name = "second_factor_obligation"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    for table in ("second_factor_obligation", "recovery_code", "authenticator_app",
                  "passkey_challenge", "passkey"):
        migrator.remove_model(table)
