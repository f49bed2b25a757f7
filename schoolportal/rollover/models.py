"""The school-year rollover: one record per school year that was rolled over."""

import peewee as pw

from schoolportal.core.models import BaseModel, User, utcnow


class YearRollover(BaseModel):
    """The step that moved every pupil from one school year to the next (done once a year).

    `from_year` is unique: the database refuses a second rollover of the same year, also
    when two admins press the button at the same moment.
    """

    from_year = pw.CharField(max_length=9, unique=True)  # "2026-2027"
    to_year = pw.CharField(max_length=9)
    done_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    done_at = pw.DateTimeField(default=utcnow)
    moved = pw.IntegerField(default=0)  # pupils in a group of the new year
    repeated = pw.IntegerField(default=0)  # of those, pupils who repeat the year
    left = pw.IntegerField(default=0)  # pupils who left school
    groups_created = pw.IntegerField(default=0)

    class Meta:
        table_name = "year_rollover"
