"""Family erasure: the erasure table and account.erased_at."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create erasure; add account.erased_at."""
    migrator.add_fields("account", erased_at=pw.DateTimeField(null=True))

    @migrator.create_model
    class Erasure(pw.Model):
        id = pw.AutoField()
        account = pw.ForeignKeyField(column_name='account_id', field='id',
                                     model=migrator.orm['account'], null=True,
                                     on_delete='SET NULL')
        open_account = pw.IntegerField(null=True, unique=True)
        reason = pw.CharField(max_length=12, constraints=[
            pw.Check("reason IN ('request','left_school')")])
        status = pw.CharField(default='scheduled', max_length=10, constraints=[
            pw.Check("status IN ('scheduled','cancelled','done')")])
        account_ids = pw.TextField(default='[]')
        pupil_ids = pw.TextField(default='[]')
        reactivate_ids = pw.TextField(default='[]')
        due_on = pw.DateField(index=True)
        requested_by = pw.ForeignKeyField(column_name='requested_by_id', field='id',
                                          model=migrator.orm['account'], null=True,
                                          on_delete='SET NULL')
        created_at = pw.DateTimeField()
        cancelled_at = pw.DateTimeField(null=True)
        done_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "erasure"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop erasure and account.erased_at."""
    migrator.remove_model("erasure")
    migrator.remove_fields("account", "erased_at")
