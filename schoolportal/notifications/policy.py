"""Who may see and change push devices: only their owner."""

from schoolportal.authz import found_or_404, real_id_or_404
from schoolportal.notifications.models import PushSubscription


def own_device_or_404(user, device_id):
    """One of the user's own devices; 404 for anyone else's, also for guessed ids."""
    return found_or_404(PushSubscription.get_or_none(
        (PushSubscription.id == real_id_or_404(device_id)) & (PushSubscription.user == user.id)))


def devices_of(user):
    """The user's devices, newest first."""
    return PushSubscription.select().where(PushSubscription.user == user.id).order_by(
        PushSubscription.created_at.desc(), PushSubscription.id.desc())


FINDERS = {"push_subscription": (PushSubscription, own_device_or_404)}
