"""The filter of the audit log page (a GET form: it changes nothing, so no CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from schoolportal.core.audit import ACTIONS


class AuditFilterForm(FlaskForm):
    """Which entries to show: one kind of action, a period, and where the page starts."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), default="", validate_choice=True)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31)])

    def __init__(self, *args, **kwargs):
        """Offer every known action, and "all"."""
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(code, label) for code, label in ACTIONS.items()]

    def validate_until(self, field):
        """The period may not end before it begins."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day is before the first day."))
