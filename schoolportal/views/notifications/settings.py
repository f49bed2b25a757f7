"""The Meldingen screen: turn push on for a device, turn devices off, choose per kind."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import ROLE_PARENT
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.notifications import choices, devices, policy, vapid
from schoolportal.notifications.forms import ChoicesForm, DeviceForm
from schoolportal.views import me
from schoolportal.views.notifications import bp


@bp.get("/account/notifications")
@authz.signed_in
def settings():
    """The user's devices and choices."""
    kinds = choices.kinds_for(current_user)
    stored = choices.choices_of(current_user)
    quiet = choices.quiet_hours_of([current_user])[current_user.id]
    data = {f"kind_{kind}": channel for kind, channel in stored.items()}
    data.update(quiet=quiet is not None, quiet_from=quiet[0] if quiet else None,
                quiet_until=quiet[1] if quiet else None)
    return _page(ChoicesForm(formdata=None, data=data), kinds)


@bp.post("/account/notifications")
@authz.signed_in
def settings_submit():
    """Save the channel per kind and the quiet hours."""
    kinds = choices.kinds_for(current_user)
    form = ChoicesForm()
    for kind in choices.KINDS:
        if kind not in dict(kinds):
            del form[f"kind_{kind}"]  # kinds of other roles are not on the screen
    if not form.validate_on_submit():
        return _page(form, kinds, status=422)
    choices.save(current_user, form.channels(kinds), form.quiet_hours())
    flash(_("Your notification choices have been saved."), "success")
    return redirect(url_for(".settings"))


@bp.post("/account/notifications/devices")
@authz.signed_in
def add_device():
    """Store this browser's push subscription (sent by static/js/push.js)."""
    form = DeviceForm()
    if not form.validate_on_submit():
        return {"errors": {name: [str(m) for m in messages]
                           for name, messages in form.errors.items()}}, 422
    devices.add(me(), form.endpoint.data.strip(), form.p256dh.data.strip(),
                form.auth.data.strip(), request.headers.get("User-Agent", ""))
    flash(_("Notifications are on for this device."), "success")
    return {"next": url_for(".settings")}, 201


@bp.post("/account/notifications/devices/<int:device_id>/delete")
@authz.signed_in
def remove_device(device_id):
    """Turn notifications off for one of the user's devices."""
    device = policy.own_device_or_404(current_user, device_id)  # CSRF was checked already
    devices.remove(device)
    if wants_fragment():
        return _devices_fragment()
    flash(_("Notifications are off for %(device)s.", device=device.label or _("this device")),
          "success")
    return redirect(url_for(".settings"))


def _devices_fragment():
    """The list of devices, for htmx."""
    return render_page("notifications/settings.html", "partials/notifications/devices.html",
                       devices=list(policy.devices_of(current_user)))


def _page(form, kinds, status=200):
    """The Meldingen page."""
    key = vapid.load()
    return render_page(
        "notifications/settings.html", "partials/notifications/choices_form.html",
        status=status, form=form, kind_fields=form.kind_fields(kinds),
        devices=list(policy.devices_of(current_user)),
        public_key=vapid.public_key(key) if key else None,
        is_parent=current_user.role == ROLE_PARENT)
