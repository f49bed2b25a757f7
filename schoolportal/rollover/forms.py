"""The rollover form: the reviewed plan's year and fingerprint, and one choice per pupil."""

from flask_wtf import FlaskForm
from wtforms import HiddenField

CHOICE_PREFIX = "pupil-"


class RolloverForm(FlaskForm):
    """What the preview sends back: which plan was reviewed (the choices: `pupil_choices`)."""

    from_year = HiddenField()
    fingerprint = HiddenField()


def pupil_choices(formdata):
    """{pupil id: choice} from the per-pupil selects ("pupil-12"); other fields are ignored.

    The selects are not WTForms fields: there is one per pupil, and `rollover` checks
    each choice against the plan.
    """
    found = {}
    for name, value in formdata.items():
        number = name[len(CHOICE_PREFIX):]
        if name.startswith(CHOICE_PREFIX) and number.isdigit() and len(number) < 12:
            found[int(number)] = value.strip()[:100]
    return found
