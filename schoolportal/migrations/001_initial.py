"""Initial schema: school, groups, pupils, accounts, guardianship, group staff, sessions."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your migrations here."""
    
    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254, unique=True)
        display_name = pw.CharField(max_length=100)
        role = pw.CharField(max_length=10, constraints=[pw.Check("role IN ('admin','staff','parent')")])
        password_hash = pw.CharField(max_length=255, null=True)
        active = pw.BooleanField(default=True)
        language = pw.CharField(default='nl', max_length=5)
        created_at = pw.DateTimeField()
        last_login_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "account"

    @migrator.create_model
    class AuthSession(pw.Model):
        id = pw.AutoField()
        key_hash = pw.CharField(max_length=64, unique=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()
        user_agent = pw.CharField(default='', max_length=200)

        class Meta:
            table_name = "auth_session"

    @migrator.create_model
    class Group(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=100)
        school_year = pw.CharField(max_length=9)
        sort_order = pw.IntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "school_group"
            indexes = [(('name', 'school_year'), True)]

    @migrator.create_model
    class GroupStaff(pw.Model):
        id = pw.AutoField()
        staff = pw.ForeignKeyField(column_name='staff_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='CASCADE')

        class Meta:
            table_name = "group_staff"
            indexes = [(('staff', 'group'), True)]

    @migrator.create_model
    class Pupil(pw.Model):
        id = pw.AutoField()
        first_name = pw.CharField(max_length=100)
        last_name = pw.CharField(max_length=100)
        birth_date = pw.DateField()
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='RESTRICT')
        pupil_number = pw.CharField(max_length=32, null=True, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "pupil"

    @migrator.create_model
    class Guardianship(pw.Model):
        id = pw.AutoField()
        guardian = pw.ForeignKeyField(column_name='guardian_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "guardianship"
            indexes = [(('guardian', 'pupil'), True)]

    @migrator.create_model
    class LoginAttempt(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(index=True, max_length=254)
        ip = pw.CharField(index=True, max_length=45)
        created_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "login_attempt"

    @migrator.create_model
    class School(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=200)
        time_zone = pw.CharField(default='Europe/Amsterdam', max_length=64)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "school"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""
    
    migrator.remove_model('school')

    migrator.remove_model('login_attempt')

    migrator.remove_model('guardianship')

    migrator.remove_model('pupil')

    migrator.remove_model('group_staff')

    migrator.remove_model('school_group')

    migrator.remove_model('auth_session')

    migrator.remove_model('account')
