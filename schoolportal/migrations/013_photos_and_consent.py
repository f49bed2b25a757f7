"""Photo albums, photos, who is in them; consent categories, choices and their history."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the album, photo, photo_tag and consent tables."""

    @migrator.create_model
    class Album(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        description = pw.TextField(default='')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], null=True, on_delete='CASCADE')
        post = pw.ForeignKeyField(column_name='post_id', field='id', model=migrator.orm['post'], null=True, on_delete='SET NULL')
        cover_photo_id = pw.IntegerField(null=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "album"
            indexes = [(('group', 'created_at'), False)]

    @migrator.create_model
    class Photo(pw.Model):
        id = pw.AutoField()
        album = pw.ForeignKeyField(column_name='album_id', field='id', model=migrator.orm['album'], on_delete='CASCADE')
        stem = pw.CharField(max_length=32, unique=True)
        widths = pw.CharField(max_length=40)
        width = pw.IntegerField()
        height = pw.IntegerField()
        caption = pw.CharField(default='', max_length=200)
        position = pw.IntegerField(default=0)
        checked_at = pw.DateTimeField(null=True)
        checked_by = pw.ForeignKeyField(column_name='checked_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        uploaded_by = pw.ForeignKeyField(column_name='uploaded_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "photo"
            indexes = [(('album', 'position'), False)]

    @migrator.create_model
    class PhotoTag(pw.Model):
        id = pw.AutoField()
        photo = pw.ForeignKeyField(column_name='photo_id', field='id', model=migrator.orm['photo'], on_delete='CASCADE', index=False)
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE')

        class Meta:
            table_name = "photo_tag"
            indexes = [(('photo', 'pupil'), True)]

    @migrator.create_model
    class ConsentCategory(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=40, unique=True)
        name = pw.CharField(max_length=100)
        description = pw.TextField(default='')
        space = pw.CharField(max_length=10, null=True, constraints=[pw.Check("space IS NULL OR space IN ('group','school')")])
        position = pw.IntegerField(default=0)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "consent_category"

    @migrator.create_model
    class Consent(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE', index=False)
        category = pw.ForeignKeyField(column_name='category_id', field='id', model=migrator.orm['consent_category'], on_delete='CASCADE')
        granted = pw.BooleanField(default=False)
        updated_by = pw.ForeignKeyField(column_name='updated_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "consent"
            indexes = [(('pupil', 'category'), True)]

    @migrator.create_model
    class ConsentChange(pw.Model):
        id = pw.AutoField()
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], on_delete='CASCADE', index=False)
        category = pw.ForeignKeyField(column_name='category_id', field='id', model=migrator.orm['consent_category'], on_delete='CASCADE')
        old_value = pw.BooleanField(null=True)
        new_value = pw.BooleanField()
        changed_by = pw.ForeignKeyField(column_name='changed_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "consent_change"
            indexes = [(('pupil', 'changed_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created."""
    migrator.remove_model("consent_change")
    migrator.remove_model("consent")
    migrator.remove_model("consent_category")
    migrator.remove_model("photo_tag")
    migrator.remove_model("photo")
    migrator.remove_model("album")
