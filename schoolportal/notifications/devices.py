"""Devices that receive pushes: turning notifications on for one, and off again."""

import re

from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow
from schoolportal.notifications.models import PushSubscription

BROWSERS = (("Edg", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
            ("Chrome", "Chrome"), ("Safari", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def label_for(user_agent):
    """A short name for the device list, from the browser's User-Agent ("Chrome · Android")."""
    agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if re.search(mark, agent)), "")
    system = next((name for mark, name in SYSTEMS if mark in agent), "")
    return " · ".join(part for part in (browser, system) if part)[:100]


def add(user, endpoint, p256dh, auth, user_agent=""):
    """Store a subscription for this user; the same endpoint again is updated, also when
    another user had it (a shared tablet now belongs to whoever turned it on last)."""
    values = {PushSubscription.user: user.id, PushSubscription.p256dh: p256dh,
              PushSubscription.auth: auth, PushSubscription.label: label_for(user_agent),
              PushSubscription.created_at: utcnow(), PushSubscription.last_success_at: None}
    with write_transaction():
        PushSubscription.insert({PushSubscription.endpoint: endpoint, **values}).on_conflict(
            conflict_target=[PushSubscription.endpoint], update=values).execute()
    return PushSubscription.get(PushSubscription.endpoint == endpoint)


def remove(device):
    """Turn notifications off for a device (what was waiting for it goes too)."""
    return PushSubscription.delete().where(PushSubscription.id == device.id).execute()
