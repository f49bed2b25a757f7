"""Coaching and research footage: staff-only photos and videos that are destroyed on a date.

A CoachingMedia row points to one file under MEDIA_ROOT/coaching. When the footage is
destroyed (on its date by the purge, or earlier by hand) the row goes and a
DestructionRecord says what was destroyed, when, and who scheduled it; the record holds
no footage and no file name.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, User, utcnow

COACHING_AREA = "coaching"
REASONS = ("due", "early")  # destroyed on its date by the purge / earlier, by hand


class CoachingMedia(BaseModel):
    """One photo or video for coaching or research, kept until `destroy_on`."""

    title = pw.CharField(max_length=200)
    purpose = pw.TextField()  # why it is kept: the coaching track or research it serves
    group = pw.ForeignKeyField(Group, null=True, backref="+", on_delete="SET NULL")
    file_name = pw.CharField(max_length=64, unique=True)  # random name under MEDIA_ROOT/coaching
    mimetype = pw.CharField(max_length=100)
    size = pw.IntegerField()
    download_name = pw.CharField(max_length=120)
    destroy_on = pw.DateField(index=True)  # the purge destroys it on this day (school time)
    scheduled_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "coaching_media"

    @property
    def is_video(self):
        """True for a video (shown in a player), False for a photo."""
        return self.mimetype.startswith("video/")


class DestructionRecord(BaseModel):
    """What was destroyed, when, and who had scheduled it (kept after the footage is gone)."""

    title = pw.CharField(max_length=200)
    download_name = pw.CharField(max_length=120)
    mimetype = pw.CharField(max_length=100)
    size = pw.IntegerField()
    destroy_on = pw.DateField()
    destroyed_at = pw.DateTimeField(default=utcnow)
    scheduled_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    scheduled_by_name = pw.CharField(max_length=100, default="")  # kept if the account goes
    destroyed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    destroyed_by_name = pw.CharField(max_length=100, default="")  # empty: the purge did it
    uploaded_at = pw.DateTimeField()
    reason = pw.CharField(max_length=5, constraints=[pw.Check("reason IN ('due','early')")])

    class Meta:
        table_name = "destruction_record"
        indexes = ((("destroyed_at",), False),)
