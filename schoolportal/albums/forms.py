"""Forms of the photo albums: a new album, uploading photos, a caption, tags, confirmations."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from schoolportal.albums.service import MAX_FILES
from schoolportal.auth.forms import _plain_text
from schoolportal.feed.forms import _not_blank, _text

SCHOOL_WIDE = "school"
NOBODY = "nobody"


class AlbumForm(FlaskForm):
    """A new album: its title, a few words, and the space it is in."""

    title = StringField(_l("Title"), validators=[
        _not_blank(_l("Fill in a title.")),
        Length(max=200, message=_l("Use at most %(max)d characters.")), _plain_text])
    description = TextAreaField(_l("Description (optional)"), validators=[
        Length(max=2000, message=_l("Use at most %(max)d characters.")), _text],
        render_kw={"rows": 3})
    space = RadioField(_l("Where"), validators=[DataRequired(_l("Choose where the album goes."))])

    def __init__(self, *args, groups=(), **kwargs):
        """The space choices: the whole school, then the groups this user may use."""
        super().__init__(*args, **kwargs)
        self.space.choices = [SelectChoice(SCHOOL_WIDE, _l("The whole school"))] + [
            SelectChoice(str(g.id), g.name) for g in groups]


class AlbumDetailsForm(FlaskForm):
    """An album's title and description; its space stays (consent depends on it)."""

    title = AlbumForm.title
    description = AlbumForm.description


class UploadForm(FlaskForm):
    """Several photos at once, straight from a phone's gallery or camera."""

    files = MultipleFileField(_l("Photos"), render_kw={
        "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif",
        "multiple": True})

    def uploads(self):
        """(file name, stream) of the files chosen (browsers send one empty part for none)."""
        return [(f.filename, f.stream) for f in self.files.data or [] if f and f.filename]

    def validate_files(self, field):
        """At least one photo, at most MAX_FILES."""
        count = len(self.uploads())
        if count == 0:
            raise ValidationError(_l("Choose one or more photos."))
        if count > MAX_FILES:
            raise ValidationError(_l("Add at most %(max)d photos at a time.", max=MAX_FILES))


class CaptionForm(FlaskForm):
    """A photo's caption."""

    caption = StringField(_l("Caption"), validators=[
        Length(max=200, message=_l("Use at most %(max)d characters.")), _plain_text])


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that act (cover, delete, nobody recognisable)."""


def chosen_tags(photo_ids, allowed_ids):
    """{photo id: set of pupil ids, or NOBODY} from the tag checkboxes; None if invalid.

    Each photo's checkboxes are named `tags-<photo id>`. A pupil not allowed for the album
    (another group, a made-up id), or "nobody" next to a pupil, makes the submit invalid.
    """
    chosen = {}
    for photo_id in photo_ids:
        values = request.form.getlist(f"tags-{photo_id}")
        if NOBODY in values:
            if len(values) > 1:
                return None
            chosen[photo_id] = NOBODY
            continue
        if not all(value.isdigit() and int(value) in allowed_ids for value in values):
            return None
        chosen[photo_id] = {int(value) for value in values}
    return chosen
