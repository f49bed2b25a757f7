"""Access requests: someone with parental authority asks for an account."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the access_request table."""

    @migrator.create_model
    class AccessRequest(pw.Model):
        id = pw.AutoField()
        child_first_name = pw.CharField(max_length=100)
        child_last_name = pw.CharField(max_length=100)
        child_birth_date = pw.DateField()
        child_group = pw.CharField(default='', max_length=50)
        requester_name = pw.CharField(max_length=100)
        email = pw.CharField(max_length=254)
        relation = pw.CharField(max_length=10, constraints=[pw.Check("relation IN ('parent','carer','guardian')")])
        declared_authority = pw.BooleanField(default=False)
        note = pw.TextField(default='')
        language = pw.CharField(default='nl', max_length=5)
        ip = pw.CharField(max_length=45)
        status = pw.CharField(default='pending', max_length=10, constraints=[pw.Check("status IN ('pending','approved','rejected')")])
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], null=True, on_delete='SET NULL')
        decided_by = pw.ForeignKeyField(column_name='decided_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        decided_at = pw.DateTimeField(null=True)
        reason = pw.TextField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "access_request"
            indexes = [
                (('status', 'created_at'), False),
                (('ip', 'created_at'), False),
                (('email', 'created_at'), False),
            ]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the table this migration created."""
    migrator.remove_model("access_request")
