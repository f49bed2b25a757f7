"""Forms for reporting a child absent, asking for leave, and the school's answers."""

import re
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from schoolportal.absence import service
from schoolportal.absence.models import REASON_OTHER, REASON_SICK
from schoolportal.auth.forms import _plain_text

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]  # the date picker, and what people type without one
NOTE_MAX = 1000


def new_key():
    """A one-time key for a form; the database refuses a second report with the same one."""
    return secrets.token_urlsafe(18)


def _max(length):
    """A length limit with the shared message."""
    return Length(max=length, message=_l("Use at most %(max)d characters."))


def _date(label, *validators, **kwargs):
    """A date picker that also reads 14-03-2027 typed by hand."""
    return DateField(label, validators=list(validators), format=DATE_FORMATS,
                     invalid_value_message=_l("Choose a date, for example 14-03-2027."),
                     **kwargs)


class ChildField(RadioField):
    """One of the parent's own children; any other pupil id is refused with a message."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=int, validators=[InputRequired(
            _l("Choose one of your children."))], **kwargs)

    def process_formdata(self, valuelist):
        """A value that is not a number is no child of yours either."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        """Only the children offered on the form are accepted."""
        if not self.offers(self.data):
            raise ValidationError(_l("Choose one of your children."))

    def offer(self, children):
        """Offer these pupils; on a new form, a single child is chosen already."""
        self.choices = [SelectChoice(child.id, child.full_name) for child in children]
        if len(self.choices) == 1 and self.raw_data is None:  # shown, not submitted
            self.data = self.choices[0].value

    def offers(self, value):
        """True when the value is one of the children offered."""
        return value is not None and value in {choice.value for choice in self.choices}


class _KeyedForm(FlaskForm):
    """A form with a one-time key, so sending it twice stores it once."""

    submission_key = HiddenField()

    def validate_submission_key(self, field):
        """The key the page was rendered with; without it the form is stale or forged."""
        if not KEY_PATTERN.fullmatch(field.data or ""):
            raise ValidationError(_l("This form has expired. Please try again."))

    def fresh_key(self):
        """Give a newly shown form its key."""
        if not self.submission_key.data:
            self.submission_key.data = new_key()
        return self


class QuickSickForm(_KeyedForm):
    """The one tap on the home page: this child is sick from today, until further notice."""

    pupil = ChildField(_l("Child"))


class AbsenceDetailsForm(_KeyedForm):
    """Why and when: used to report with details and to correct a report."""

    reason = RadioField(_l("Reason"), default=REASON_SICK, choices=[
        SelectChoice("sick", _l("Sick")), SelectChoice("doctor", _l("Doctor or dentist")),
        SelectChoice("other", _l("Something else")),
    ], validators=[InputRequired(_l("Choose a reason."))])
    reason_text = StringField(_l("What is the reason?"), validators=[_max(200), _plain_text])
    starts_on = _date(_l("From"), InputRequired(_l("Choose the first day.")))
    ends_on = _date(_l("Until and including"), Optional())
    day_part = RadioField(_l("Whole day or part of the day?"), default="whole", choices=[
        SelectChoice("whole", _l("The whole day")), SelectChoice("part", _l("Part of the day")),
    ], validators=[InputRequired(_l("Choose the whole day or part of it."))])
    start_time = TimeField(_l("Away from"), validators=[Optional()])
    end_time = TimeField(_l("Back at"), validators=[Optional()])
    note = TextAreaField(_l("Note for the teacher (optional)"), validators=[_max(NOTE_MAX)],
                         render_kw={"rows": 3, "maxlength": NOTE_MAX})

    def validate(self, extra_validators=None):
        """The fields one by one, then the rules that tie them together."""
        if not super().validate(extra_validators):
            return False
        return self._check_reason() & self._check_period() & self._check_times()

    def _check_reason(self):
        """"Something else" needs a word of explanation."""
        if self.reason.data == REASON_OTHER and not (self.reason_text.data or "").strip():
            self.reason_text.errors.append(_l("Write in a few words what the reason is."))
            return False
        return True

    def _check_period(self):
        """Not too far back or ahead, not ending before it starts, not endless (but illness)."""
        today, first, last = service.school_today(), self.starts_on.data, self.ends_on.data
        if first < today - timedelta(days=service.DAYS_BACK):
            self.starts_on.errors.append(_l(
                "You can report an absence up to %(days)d days back. For earlier days, "
                "please contact the school.", days=service.DAYS_BACK))
            return False
        if first > today + timedelta(days=service.DAYS_AHEAD):
            self.starts_on.errors.append(_l(
                "You can report an absence up to %(days)d days ahead. For a longer time "
                "away, ask for leave.", days=service.DAYS_AHEAD))
            return False
        if last is not None and last < first:
            self.ends_on.errors.append(_l("The last day is before the first day."))
            return False
        if last is not None and (last - first).days >= service.LONGEST_DAYS:
            self.ends_on.errors.append(_l(
                "One report can cover at most %(days)d days.", days=service.LONGEST_DAYS))
            return False
        return True

    def _check_times(self):
        """Part of a day: one day, with a start before the end."""
        if self.day_part.data != "part":
            return True
        start, end = self.start_time.data, self.end_time.data
        if start is None or end is None:
            field = self.start_time if start is None else self.end_time
            field.errors.append(_l("Fill in both times for part of a day."))
            return False
        if end <= start:
            self.end_time.errors.append(_l("The time back is before the time away."))
            return False
        if self.ends_on.data not in (None, self.starts_on.data):
            self.ends_on.errors.append(_l("Part of a day is one day: leave the last day empty "
                                          "or make it the first day."))
            return False
        return True

    def details(self):
        """The cleaned values, as `absences.report` and `absences.correct` take them."""
        part = self.day_part.data == "part"
        first, last = self.starts_on.data, self.ends_on.data
        if last is None and (part or self.reason.data != REASON_SICK):
            last = first  # only an illness may stay open-ended
        return {
            "reason": self.reason.data,
            "reason_text": (self.reason_text.data or "").strip()
            if self.reason.data == REASON_OTHER else "",
            "starts_on": first, "ends_on": last,
            "start_time": self.start_time.data if part else None,
            "end_time": self.end_time.data if part else None,
            "note": (self.note.data or "").strip(),
        }

    def fill_from(self, report):
        """Show a stored report in the form."""
        self.reason.data, self.reason_text.data = report.reason, report.reason_text
        self.starts_on.data, self.ends_on.data = report.starts_on, report.ends_on
        self.day_part.data = "part" if report.start_time else "whole"
        self.start_time.data, self.end_time.data = report.start_time, report.end_time
        self.note.data = report.note
        return self


class AbsenceReportForm(AbsenceDetailsForm):
    """Reporting with details: which child, why and when."""

    pupil = ChildField(_l("Child"))


class LeaveRequestForm(_KeyedForm):
    """Asking the director for leave: which child, which days, why."""

    pupil = ChildField(_l("Child"))
    starts_on = _date(_l("First day of leave"), InputRequired(_l("Choose the first day.")))
    ends_on = _date(_l("Last day of leave"), InputRequired(_l("Choose the last day.")))
    reason = TextAreaField(_l("Reason for the leave"), validators=[
        InputRequired(_l("Write why you ask for leave.")), _max(NOTE_MAX)],
        render_kw={"rows": 4, "maxlength": NOTE_MAX})

    def validate(self, extra_validators=None):
        """The fields, then: ahead of time, not ending before it starts, not too long."""
        if not super().validate(extra_validators):
            return False
        today, first, last = service.school_today(), self.starts_on.data, self.ends_on.data
        if first < today:
            self.starts_on.errors.append(_l("Leave is asked for ahead: choose today or later."))
        elif first > today + timedelta(days=service.LEAVE_DAYS_AHEAD):
            self.starts_on.errors.append(_l("Choose a day within a year from now."))
        elif last < first:
            self.ends_on.errors.append(_l("The last day is before the first day."))
        elif (last - first).days >= service.LEAVE_LONGEST_DAYS:
            self.ends_on.errors.append(_l("One request can cover at most %(days)d days.",
                                          days=service.LEAVE_LONGEST_DAYS))
        if not self.reason.data.strip():
            self.reason.errors.append(_l("Write why you ask for leave."))
        return not (self.starts_on.errors or self.ends_on.errors or self.reason.errors)


class LeaveDecisionForm(FlaskForm):
    """The director's answer: approve or not, with a reason the parents read."""

    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Do not approve")),
    ], validators=[InputRequired(_l("Choose approve or do not approve."))])
    note = TextAreaField(_l("Explanation for the parents"), validators=[_max(NOTE_MAX)],
                         render_kw={"rows": 3, "maxlength": NOTE_MAX})

    def validate_note(self, field):
        """Saying no needs a reason."""
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason; the parents receive it."))


class ActionForm(FlaskForm):
    """A button that acts (seen, withdraw, better again): the CSRF token and where to go."""

    next = HiddenField()
