"""Forms of family data: the export button, the erasure confirmation, cancelling it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from schoolportal.family_data.models import REASON_LEFT, REASON_REQUEST


class ExportForm(FlaskForm):
    """Only the CSRF token: the export is made when the button is pressed."""


class CancelErasureForm(FlaskForm):
    """Only the CSRF token: call off a scheduled erasure."""


class ErasureForm(FlaskForm):
    """Why the family is erased."""

    reason = RadioField(_l("Reason"), choices=[
        SelectChoice(REASON_REQUEST, _l("The family asked for it")),
        SelectChoice(REASON_LEFT, _l("The children have left school")),
    ], validators=[InputRequired(_l("Choose the reason."))])
