"""Forms for importing pupils: the upload, and the confirmation of a checked file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    """The CSV file from the school administration."""

    file = FileField(
        _l("CSV file with pupils"),
        validators=[FileRequired(_l("Choose the CSV file to import."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class ConfirmForm(FlaskForm):
    """Names the checked upload that the admin agrees to import."""

    key = HiddenField(validators=[DataRequired(), Length(max=64)])


class EdexmlUploadForm(FlaskForm):
    """The EDEXML export (EDEX.XML) from the school administration."""

    file = FileField(
        _l("EDEXML file (EDEX.XML)"),
        validators=[FileRequired(_l("Choose the EDEXML file to import."))],
        render_kw={"accept": ".xml,application/xml,text/xml"},
    )
