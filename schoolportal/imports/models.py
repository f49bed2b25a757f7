"""Pupil imports from the school administration: the CSV, and EDEXML with its keys."""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow


class PupilImport(BaseModel):
    """An uploaded pupil file, kept between its preview and the admin's confirmation.

    Kept on the server rather than sent back in a hidden field: a file may be up to 2 MB
    (more than a form field may carry), and the conditional update of `applied_at` makes a
    second click on "confirm" (or the back button) a no-op.
    """

    key = pw.CharField(max_length=64, unique=True)  # random: names the preview in the form
    uploaded_by = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    file_name = pw.CharField(max_length=255)
    content = pw.TextField()  # the decoded file; emptied once applied (data minimisation)
    plan_digest = pw.CharField(max_length=64)  # what the preview showed, to notice changes
    created_at = pw.DateTimeField(default=utcnow)
    applied_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "pupil_import"


class EdexmlImport(BaseModel):
    """An EDEXML file from the school's administration, kept from its preview to the apply.

    The content is the file's data as JSON (only what the portal uses: no BSN, no gender);
    once applied, only the keys of the pupils it listed stay (no names), so the office sees
    which pupils the latest export left out. Applied imports also keep the BRIN code, so a
    file of another school is refused.
    """

    key = pw.CharField(max_length=64, unique=True)  # random: names the preview in the form
    uploaded_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    file_name = pw.CharField(max_length=255)
    content = pw.TextField()
    plan_digest = pw.CharField(max_length=64)
    brincode = pw.CharField(max_length=12, default="")
    school_year = pw.CharField(max_length=9)
    created_at = pw.DateTimeField(default=utcnow)
    applied_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "edexml_import"

    @classmethod
    def latest_applied(cls):
        """The last import that was applied, or None."""
        return cls.select().where(cls.applied_at.is_null(False)).order_by(
            cls.applied_at.desc(), cls.id.desc()).first()


class GroupKey(BaseModel):
    """The administration's key of a group in one school year."""

    group = pw.ForeignKeyField(Group, unique=True, backref="+", on_delete="CASCADE")
    school_year = pw.CharField(max_length=9)
    key = pw.CharField(max_length=64)

    class Meta:
        table_name = "edexml_group_key"
        indexes = ((("school_year", "key"), True),)


class PupilKey(BaseModel):
    """The administration's key of a pupil, so a later import finds the pupil by key."""

    pupil = pw.ForeignKeyField(Pupil, unique=True, backref="+", on_delete="CASCADE")
    key = pw.CharField(max_length=64, unique=True)
    starts_on = pw.DateField(null=True)  # instroomdatum: the invitation waits for it

    class Meta:
        table_name = "edexml_pupil_key"


class TeacherKey(BaseModel):
    """The administration's key of a teacher's account."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    key = pw.CharField(max_length=64, unique=True)

    class Meta:
        table_name = "edexml_teacher_key"
