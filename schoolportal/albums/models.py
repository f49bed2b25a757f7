"""Photo albums in a group's space or the school-wide space, the photos and who is in them.

A photo is stored only as re-encoded variants (no original is kept): under
MEDIA_ROOT/photos as `<stem>-<width>.webp` and `<stem>-<width>.jpg` for each width in
`widths`. Whether parents see a photo is decided from its tags and the children's consent
at every page load (authz.visible_photos), so a withdrawn consent takes effect at once.
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow
from schoolportal.feed.models import Post

PHOTO_AREA = "photos"
UPLOAD_AREA = "photo_uploads"  # uploads as they came, until the worker has processed them
PHOTO_WAITING, PHOTO_READY, PHOTO_FAILED = "waiting", "ready", "failed"


class Album(BaseModel):
    """A set of photos in one space: a group (group set) or the whole school (group null)."""

    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    group = pw.ForeignKeyField(Group, null=True, backref="albums", on_delete="CASCADE")
    post = pw.ForeignKeyField(Post, null=True, backref="albums", on_delete="SET NULL")
    cover_photo_id = pw.IntegerField(null=True)  # a photo of this album; null: the first one
    created_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "album"
        indexes = ((("group", "created_at"), False),)

    @property
    def consent_space(self):
        """The consent a tagged child needs for this album: 'group' or 'school'."""
        return "school" if self.group_id is None else "group"


class Photo(BaseModel):
    """One photo of an album, stored as resized variants only.

    An upload is `waiting` (its file as it came under UPLOAD_AREA, no variants yet) until
    the worker made the variants (`ready`) or found it cannot be decoded (`failed`). Only
    ready photos are shown (policy.visible_photos); staff see the others' state.
    """

    album = pw.ForeignKeyField(Album, backref="photos", on_delete="CASCADE")
    stem = pw.CharField(max_length=32, unique=True)  # random hex; the files' common name
    widths = pw.CharField(max_length=40)  # "320,640,1280": the widths stored ("" waiting)
    width = pw.IntegerField()  # of the largest variant (while waiting: as it will be)
    height = pw.IntegerField()
    state = pw.CharField(max_length=8, default=PHOTO_READY, constraints=[
        pw.Check("state IN ('waiting','ready','failed')")])
    claimed_until = pw.DateTimeField(null=True)  # a worker is processing it until then
    caption = pw.CharField(max_length=200, default="")
    position = pw.IntegerField(default=0)
    checked_at = pw.DateTimeField(null=True)  # staff tagged it or saw nobody to tag
    checked_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    uploaded_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "photo"
        indexes = ((("album", "position"), False), (("state", "claimed_until"), False))

    @property
    def upload_name(self):
        """The name of the upload as it came, under UPLOAD_AREA, while it waits."""
        return f"{self.stem}.upl"

    @property
    def width_list(self):
        """The stored widths, smallest first."""
        return sorted(int(w) for w in self.widths.split(",") if w)

    def file_name(self, width, extension="webp"):
        """The file name of one variant under MEDIA_ROOT/photos."""
        return f"{self.stem}-{width}.{extension}"

    def file_names(self):
        """Every file this photo has on disk."""
        return [self.file_name(w, ext) for w in self.width_list for ext in ("webp", "jpg")]


class PhotoTag(BaseModel):
    """A pupil who can be seen in a photo (tagged by staff at or after upload)."""

    photo = pw.ForeignKeyField(Photo, backref="tags", on_delete="CASCADE", index=False)
    pupil = pw.ForeignKeyField(Pupil, backref="photo_tags", on_delete="CASCADE")

    class Meta:
        table_name = "photo_tag"
        indexes = ((("photo", "pupil"), True),)
