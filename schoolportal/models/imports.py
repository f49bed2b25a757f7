"""Pupil imports from the school administration (CSV)."""

import peewee as pw

from .base import BaseModel, utcnow
from .school import User


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
