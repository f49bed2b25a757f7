"""EDEXML imports: the kept previews, the administration's keys, and pupils' group history."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create edexml_import, the three key tables and pupil_move."""

    @migrator.create_model
    class EdexmlImport(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        uploaded_by = pw.ForeignKeyField(column_name='uploaded_by_id', field='id',
                                         model=migrator.orm['account'], null=True,
                                         on_delete='SET NULL')
        file_name = pw.CharField(max_length=255)
        content = pw.TextField()
        plan_digest = pw.CharField(max_length=64)
        brincode = pw.CharField(max_length=12, default="")
        school_year = pw.CharField(max_length=9)
        created_at = pw.DateTimeField()
        applied_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "edexml_import"

    @migrator.create_model
    class GroupKey(pw.Model):
        id = pw.AutoField()
        group = pw.ForeignKeyField(column_name='group_id', field='id',
                                   model=migrator.orm['school_group'], unique=True,
                                   on_delete='CASCADE')
        school_year = pw.CharField(max_length=9)
        key = pw.CharField(max_length=64)

        class Meta:
            table_name = "edexml_group_key"
            indexes = [(('school_year', 'key'), True)]

    @migrator.create_model
    class PupilKey(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id',
                                   model=migrator.orm['pupil'], unique=True, on_delete='CASCADE')
        key = pw.CharField(max_length=64, unique=True)
        starts_on = pw.DateField(null=True)

        class Meta:
            table_name = "edexml_pupil_key"

    @migrator.create_model
    class TeacherKey(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id',
                                  model=migrator.orm['account'], unique=True, on_delete='CASCADE')
        key = pw.CharField(max_length=64, unique=True)

        class Meta:
            table_name = "edexml_teacher_key"

    @migrator.create_model
    class PupilMove(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id',
                                   model=migrator.orm['pupil'], on_delete='CASCADE')
        from_group = pw.ForeignKeyField(column_name='from_group_id', field='id',
                                        model=migrator.orm['school_group'], null=True,
                                        on_delete='SET NULL')
        to_group = pw.ForeignKeyField(column_name='to_group_id', field='id',
                                      model=migrator.orm['school_group'], null=True,
                                      on_delete='SET NULL')
        moved_at = pw.DateTimeField()
        moved_by = pw.ForeignKeyField(column_name='moved_by_id', field='id',
                                      model=migrator.orm['account'], null=True,
                                      on_delete='SET NULL')
        via = pw.CharField(max_length=10, default="office",
                           constraints=[pw.Check("via IN ('office','import')")])

        class Meta:
            table_name = "pupil_move"
            indexes = [(('pupil', 'moved_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    for table in ("pupil_move", "edexml_teacher_key", "edexml_pupil_key", "edexml_group_key",
                  "edexml_import"):
        migrator.remove_model(table)
