"""Forms of the Meldingen screen: channels per kind with quiet hours, and a device to add."""

import base64
import ipaddress
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from schoolportal.notifications.choices import CHANNELS, KINDS


class ChoicesForm(FlaskForm):
    """A channel for each kind the user can get, and quiet hours."""

    quiet = BooleanField(_l("Quiet hours: hold push notifications back between these times"))
    quiet_from = TimeField(_l("From"), validators=[Optional()], format="%H:%M")
    quiet_until = TimeField(_l("Until"), validators=[Optional()], format="%H:%M")

    def kind_fields(self, kinds):
        """The radio groups of these kinds, in order."""
        return [self[f"kind_{kind}"] for kind, _label in kinds]

    def channels(self, kinds):
        """{kind: channel} as chosen for these kinds."""
        return {kind: self[f"kind_{kind}"].data for kind, _label in kinds}

    def quiet_hours(self):
        """(from, until) or None when quiet hours are off."""
        return (self.quiet_from.data, self.quiet_until.data) if self.quiet.data else None

    def validate(self, extra_validators=None):
        """The fields, then: quiet hours on need both times, and two different ones."""
        valid = super().validate(extra_validators)
        if self.quiet.data and not (self.quiet_from.errors or self.quiet_until.errors):
            if not (self.quiet_from.data and self.quiet_until.data):
                self.quiet_until.errors.append(_l("Fill in both times, or turn quiet hours off."))
                valid = False
            elif self.quiet_from.data == self.quiet_until.data:
                self.quiet_until.errors.append(_l("Choose two different times."))
                valid = False
        return valid


for _kind, (_label, _roles, _daily) in KINDS.items():
    setattr(ChoicesForm, f"kind_{_kind}", RadioField(
        _label, choices=[SelectChoice(value, label) for value, label in CHANNELS],
        validators=[DataRequired(_l("Choose how you want to hear about this."))]))


def _base64url_of(length, message):
    """A validator: base64url text that decodes to exactly `length` bytes."""

    def check(form, field):
        text = (field.data or "").strip()
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            raw = b""
        if len(raw) != length:
            raise ValidationError(message)

    return check


class DeviceForm(FlaskForm):
    """A browser's push subscription, as `PushManager.subscribe()` gives it."""

    endpoint = StringField(validators=[DataRequired(), Length(max=1000)])
    p256dh = StringField(validators=[DataRequired(), Length(max=200), _base64url_of(
        65, _l("This device's key is not valid."))])
    auth = StringField(validators=[DataRequired(), Length(max=50), _base64url_of(
        16, _l("This device's key is not valid."))])

    def validate_endpoint(self, field):
        """An https address of a push service, never one inside this network (the worker
        posts to it); plain http on 127.0.0.1 only when PUSH_ALLOW_LOOPBACK (tests)."""
        parts = urlsplit(field.data.strip())
        host = parts.hostname or ""
        loopback = current_app.config.get("PUSH_ALLOW_LOOPBACK") and host == "127.0.0.1"
        if loopback and parts.scheme in ("http", "https"):
            return
        if parts.scheme != "https" or not host or host == "localhost" or _is_ip(host):
            raise ValidationError(_l("This is not the address of a push service."))


def _is_ip(host):
    """True for an IP address instead of a host name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
