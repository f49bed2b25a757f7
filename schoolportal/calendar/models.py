"""The year calendar and the private ICS feed.

Activity dates and times are the school's wall-clock (Europe/Amsterdam): a Sinterklaas
morning stays at 08:30 whatever the clocks do. `ends_on` is the last day (inclusive);
the ICS feed turns it into the exclusive DTEND that RFC 5545 wants.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, User, utcnow


class Activity(BaseModel):
    """One entry in the year calendar: a day, a range of days or a time slot."""

    title = pw.CharField(max_length=200)
    starts_on = pw.DateField()
    ends_on = pw.DateField()  # the last day, inclusive (a holiday of 9 days: 17 to 25 Oct)
    starts_at = pw.TimeField(null=True)  # both times empty: an all-day activity
    ends_at = pw.TimeField(null=True)
    place = pw.CharField(max_length=200, default="")
    description = pw.TextField(default="")
    whole_school = pw.BooleanField(default=True)  # otherwise: the groups in ActivityGroup
    link_url = pw.CharField(max_length=500, default="")  # e.g. the post that tells more
    # sha256 of the UID an .ics import (or the demo) gave it: importing again updates it.
    import_key = pw.CharField(max_length=64, null=True, unique=True)
    sequence = pw.IntegerField(default=0)  # ICS SEQUENCE: calendar apps take the higher one
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        constraints = [
            pw.Check("ends_on >= starts_on"),
            pw.Check("(starts_at IS NULL) = (ends_at IS NULL)"),
            pw.Check("starts_at IS NULL OR ends_on > starts_on OR ends_at > starts_at"),
        ]
        indexes = ((("starts_on", "ends_on"), False),)

    @property
    def all_day(self):
        """True when the activity has no times (a holiday, a study day)."""
        return self.starts_at is None

    @property
    def days(self):
        """How many calendar days it covers."""
        return (self.ends_on - self.starts_on).days + 1

    @classmethod
    def overlapping(cls, first, last):
        """A filter for activities that touch any day from first to last."""
        return (cls.starts_on <= last) & (cls.ends_on >= first)


class ActivityGroup(BaseModel):
    """A group an activity is for, when it is not for the whole school."""

    activity = pw.ForeignKeyField(Activity, backref="group_links", on_delete="CASCADE")
    group = pw.ForeignKeyField(Group, backref="+", on_delete="CASCADE")

    class Meta:
        table_name = "activity_group"
        indexes = ((("activity", "group"), True),)


class CalendarFeed(BaseModel):
    """A user's private feed link; only the token's hash is kept, one link per user."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "calendar_feed"


class CalendarImport(BaseModel):
    """A checked .ics upload, kept between its preview and the confirmation.

    The preview's activities are stored as JSON, so confirming imports exactly what was
    shown; the conditional update of `applied_at` makes a second click a no-op.
    """

    key = pw.CharField(max_length=64, unique=True)
    uploaded_by = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    file_name = pw.CharField(max_length=255)
    plan = pw.TextField()  # emptied once applied (data minimisation)
    created_at = pw.DateTimeField(default=utcnow)
    applied_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "calendar_import"
