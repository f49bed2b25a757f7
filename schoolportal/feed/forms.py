"""Forms of the feed: the post editor, a reaction, the house rules, and plain confirmations."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from schoolportal.admin.forms import CheckboxesField
from schoolportal.auth.forms import _plain_text
from schoolportal.core import clock
from schoolportal.core.models import utcnow
from schoolportal.feed.comments import MAX_LENGTH as COMMENT_MAX_LENGTH
from schoolportal.feed.posts import MAX_ATTACHMENTS

BODY_MAX_LENGTH = 20_000
SCHOOL_WIDE = "school"
ZONE = ZoneInfo("Europe/Amsterdam")
KIND_CHOICES = (
    SelectChoice("message", _l("Message")),
    SelectChoice("article", _l("Blog or article")),
    SelectChoice("report", _l("Report")),
    SelectChoice("newsletter", _l("Newsletter")),
)
NEW_WHEN_CHOICES = (
    SelectChoice("now", _l("Publish now")),
    SelectChoice("later", _l("Publish later, at the time below")),
    SelectChoice("draft", _l("Save as draft (only you see it)")),
)


def _text(form, field):
    """Refuse control characters other than tabs and line ends (and so NUL bytes)."""
    if any((ord(c) < 32 and c not in "\t\r\n") or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def _not_blank(message):
    """A validator refusing text that is empty or only spaces."""

    def check(form, field):
        if not (field.data or "").strip():
            raise ValidationError(message)

    return check


class _PostFields(FlaskForm):
    """What every post has: title, kind, text, files, pinned and urgent."""

    title = StringField(_l("Title"), validators=[
        _not_blank(_l("Fill in a title.")),
        Length(max=200, message=_l("Use at most %(max)d characters.")), _plain_text])
    kind = RadioField(_l("Kind of post"), choices=KIND_CHOICES, default="message",
                      validators=[DataRequired(_l("Choose a kind of post."))])
    body = TextAreaField(_l("Text"), validators=[
        _not_blank(_l("Write the text of the post.")),
        Length(max=BODY_MAX_LENGTH, message=_l("Use at most %(max)d characters.")), _text],
        render_kw={"rows": 10})
    photos = MultipleFileField(_l("Add photos"), render_kw={"accept": "image/*"})
    files = MultipleFileField(_l("Add files"))
    pinned = BooleanField(_l("Pin to the top of the feed"))
    urgent = BooleanField(_l("Urgent: push and email every parent at once, also during quiet "
                             "hours, whatever they chose (school office and director only)"))
    when = RadioField(_l("When"), choices=NEW_WHEN_CHOICES, default="now",
                      validators=[Optional()])
    publish_at = DateTimeLocalField(_l("Date and time of publication"), validators=[Optional()],
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])

    def uploads(self):
        """The files chosen (browsers send one empty part when none were)."""
        return [f for f in self.files.data or [] if f and f.filename]

    def photo_uploads(self):
        """The photos chosen, as (file name, stream) for the album pipeline."""
        return [(f.filename, f.stream) for f in self.photos.data or [] if f and f.filename]

    def validate_files(self, field):
        """At most a few files per post."""
        if len(self.uploads()) > MAX_ATTACHMENTS:
            raise ValidationError(_l("Add at most %(max)d files at a time.", max=MAX_ATTACHMENTS))

    def validate(self, extra_validators=None):
        """The fields, then: publishing later needs a time in the coming year."""
        valid = super().validate(extra_validators)
        if self.when.data != "later" or self.publish_at.errors:
            return valid
        message = None
        if self.publish_at.data is None:
            message = _l("Fill in when the post should appear.")
        elif not utcnow() < self.publish_at_utc() <= utcnow() + timedelta(days=366):
            message = _l("Choose a moment in the future, within a year.")
        if message:
            self.publish_at.errors = [*self.publish_at.errors, message]
            return False
        return valid

    def publish_at_utc(self):
        """The chosen publication time as naive UTC (it was typed in Dutch time)."""
        local = self.publish_at.data.replace(tzinfo=ZONE)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    def publication(self):
        """None for a draft, else the naive UTC moment the post appears."""
        if self.when.data == "draft":
            return None
        return self.publish_at_utc() if self.when.data == "later" else utcnow()


class PostForm(_PostFields):
    """A new post, for the whole school or some of the author's groups."""

    audience = CheckboxesField(_l("For whom"))

    def __init__(self, *args, groups=(), **kwargs):
        """The audience choices: the whole school, then the groups this author may post to."""
        super().__init__(*args, **kwargs)
        self.audience.choices = [SelectChoice(SCHOOL_WIDE, _l("The whole school"))] + [
            SelectChoice(str(g.id), g.name) for g in groups]
        self.when.validators = [DataRequired(_l("Choose when the post appears."))]

    def validate_audience(self, field):
        """At least one audience; the whole school or groups, not both."""
        chosen = field.data or []
        if not chosen:
            raise ValidationError(_l("Choose the whole school or at least one group."))
        if SCHOOL_WIDE in chosen and len(chosen) > 1:
            raise ValidationError(_l("Choose either the whole school or groups, not both."))


class EditPostForm(_PostFields):
    """Changes to a post; a post not yet published may also be (re)scheduled."""

    remove_attachments = CheckboxesField(_l("Remove files"), coerce=int)

    def __init__(self, *args, attachments=(), **kwargs):
        """The files that may be removed."""
        super().__init__(*args, **kwargs)
        self.remove_attachments.choices = [SelectChoice(a.id, a.download_name)
                                           for a in attachments]


class CommentForm(FlaskForm):
    """A reaction; it cannot be changed or deleted afterwards (the form says so)."""

    body = TextAreaField(_l("Your reaction"), validators=[
        _not_blank(_l("Write a reaction first.")),
        Length(max=COMMENT_MAX_LENGTH, message=_l("Use at most %(max)d characters.")), _text])


class HouseRulesForm(FlaskForm):
    """The school's house rules for reactions, in Markdown."""

    body = TextAreaField(_l("House rules"), validators=[
        _not_blank(_l("Write the house rules.")),
        Length(max=5000, message=_l("Use at most %(max)d characters.")), _text],
        render_kw={"rows": 10})


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that act (hide, close, delete)."""


def local_time(moment):
    """A naive UTC moment as Dutch wall-clock time, for a datetime-local field."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).replace(tzinfo=None)


def now_local():
    """Now in Dutch wall-clock time."""
    return clock.school_now().replace(tzinfo=None, second=0, microsecond=0)
