"""The worker's part: release the notices that are due and deliver the pushes (RFC 8030).

Each round, `release_due` turns the push notices whose time has come into one
PushDelivery per device of the user (several notices that waited for quiet or working
hours become one summary), and `deliver_due` sends them, encrypted (aes128gcm, RFC 8291)
and signed (VAPID, RFC 8292). A delivery is claimed with a conditional update and marked
sent only after the push service accepted it (201); a 5xx, a 429 or no answer waits
longer each time (PUSH_RETRY_BASE_SECONDS doubling up to PUSH_RETRY_MAX_SECONDS) and gives
up after PUSH_MAX_ATTEMPTS. A 404 or 410 means the browser dropped the subscription: it is
removed with what was still waiting for it. Each delivery carries a Topic header of its
own, so a resend after a lost answer replaces the earlier copy at the push service, and a
notification tag, so a device shows it once.
"""

import json
import time
from datetime import timedelta

import requests
from flask import current_app
from flask_babel import force_locale, ngettext
from pywebpush import WebPushException, webpush

from schoolportal.core.database import is_sqlite, write_transaction
from schoolportal.core.models import User, utcnow
from schoolportal.notifications import vapid
from schoolportal.notifications.models import (
    PUSH_DEAD,
    PUSH_PENDING,
    PUSH_SENT,
    Notice,
    PushDelivery,
    PushSubscription,
)

CLAIM_FOR = timedelta(minutes=5)
SUMMARY_TITLES = 4  # how many titles a summary lists before "…"


def release_due(now=None, limit=500):
    """Turn due push notices into deliveries, one per device; returns how many were released."""
    now = now or utcnow()
    with write_transaction():
        query = (Notice.select().where(
            (Notice.channel == "push") & Notice.released_at.is_null()
            & (Notice.not_before <= now)).order_by(Notice.id).limit(limit))
        if not is_sqlite():
            query = query.for_update("FOR UPDATE SKIP LOCKED")  # two workers take different rows
        notices = list(query)
        if not notices:
            return 0
        by_user = {}
        for notice in notices:
            by_user.setdefault(notice.user_id, []).append(notice)
        devices, languages = {}, dict(User.select(User.id, User.language).where(
            User.id.in_(list(by_user))).tuples())
        for subscription in PushSubscription.select().where(
                PushSubscription.user.in_(list(by_user))):
            devices.setdefault(subscription.user_id, []).append(subscription.id)
        rows = []
        for user_id, items in by_user.items():
            for payload in _payloads(items, languages.get(user_id) or "nl"):
                rows += [{"subscription": device, "payload": payload, "next_attempt_at": now}
                         for device in devices.get(user_id, [])]
        if rows:
            PushDelivery.insert_many(rows).execute()
        Notice.update(released_at=now).where(Notice.id.in_([n.id for n in notices])).execute()
    return len(notices)


def _payloads(notices, language):
    """The JSON payloads for one user's due notices: held ones together as one summary."""
    held = [n for n in notices if n.held and not n.urgent]
    single = [n for n in notices if n not in held] + (held if len(held) == 1 else [])
    payloads = [payload(n.title, n.body, n.url, f"n{n.id}") for n in single]
    if len(held) > 1:
        with force_locale(language):
            title = ngettext("%(num)d new notification", "%(num)d new notifications", len(held))
        titles = list(dict.fromkeys(n.body or n.title for n in held))  # the post titles
        body = " · ".join(titles[:SUMMARY_TITLES]) + (" · …" if len(titles) > SUMMARY_TITLES
                                                     else "")
        urls = {n.url for n in held}
        payloads.append(payload(title, body[:200], urls.pop() if len(urls) == 1 else "/",
                                f"s{held[0].id}"))
    return payloads


def payload(title, body, url, tag):
    """What the service worker gets (static/js/sw-push.js shows it)."""
    return json.dumps({"title": str(title), "body": str(body), "url": url, "tag": tag},
                      ensure_ascii=False)


def deliver_due(now=None, limit=200):
    """Send the pushes that are due; returns (sent, failed, removed subscriptions)."""
    now = now or utcnow()
    key = vapid.load()
    if key is None:
        return 0, 0, 0  # no key pair yet: deliveries wait (and no device can subscribe)
    candidates = list(PushDelivery.select(PushDelivery, PushSubscription)
                      .join(PushSubscription).where(
                          (PushDelivery.status == PUSH_PENDING)
                          & (PushDelivery.next_attempt_at <= now)
                          & (PushDelivery.claimed_until.is_null()
                             | (PushDelivery.claimed_until < now)))
                      .order_by(PushDelivery.id).limit(limit))
    sent = failed = removed = 0
    for row in candidates:
        if not _claim(row, now):
            continue
        outcome = _send(row, key)
        if outcome is None:
            _mark_sent(row)
            sent += 1
        elif outcome == "gone":
            PushSubscription.delete().where(PushSubscription.id == row.subscription_id).execute()
            removed += 1
        else:
            _mark_failed(row, *outcome)
            failed += 1
    return sent, failed, removed


def _send(row, key):
    """Encrypt, sign and post one push: None when accepted, "gone", or (error, retry)."""
    config = current_app.config
    subscription = row.subscription
    info = {"endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    claims = {"sub": vapid.subject(), "exp": int(time.time()) + 12 * 3600}
    try:
        webpush(info, data=row.payload, vapid_private_key=key, vapid_claims=claims,
                ttl=config["PUSH_TTL_SECONDS"], timeout=config["PUSH_TIMEOUT"],
                headers={"Topic": f"d{row.id}", "Urgency": "normal"})
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            return "gone"
        retry = status is None or status == 429 or status >= 500
        return f"push service answered {status}", retry
    except (requests.RequestException, OSError) as error:
        return f"push service unreachable: {type(error).__name__}", True
    return None


def _claim(row, now):
    """Take a delivery for this worker; False when another worker took it first."""
    return PushDelivery.update(
        claimed_until=now + CLAIM_FOR, attempts=PushDelivery.attempts + 1
    ).where((PushDelivery.id == row.id) & (PushDelivery.status == PUSH_PENDING)
            & (PushDelivery.claimed_until.is_null() | (PushDelivery.claimed_until < now))
            ).execute() == 1


def _mark_sent(row):
    """The push service accepted it."""
    now = utcnow()
    PushDelivery.update(status=PUSH_SENT, sent_at=now, claimed_until=None,
                        last_error=None).where(PushDelivery.id == row.id).execute()
    PushSubscription.update(last_success_at=now).where(
        PushSubscription.id == row.subscription_id).execute()


def _mark_failed(row, error, retry):
    """Not accepted: wait longer each time, or give up (after the limit, or for good)."""
    config = current_app.config
    attempts = row.attempts + 1
    if not retry or attempts >= config["PUSH_MAX_ATTEMPTS"]:
        changes = {PushDelivery.status: PUSH_DEAD}
    else:
        delay = min(config["PUSH_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1),
                    config["PUSH_RETRY_MAX_SECONDS"])
        changes = {PushDelivery.next_attempt_at: utcnow() + timedelta(seconds=delay)}
    changes.update({PushDelivery.claimed_until: None, PushDelivery.last_error: error[:2000]})
    PushDelivery.update(changes).where(PushDelivery.id == row.id).execute()


def run_round():
    """One worker round: release what is due, then deliver; returns the pushes sent."""
    release_due()
    sent, _failed, _removed = deliver_due()
    return sent


def purge_delivered(days=30):
    """Forget sent and dead deliveries and released notices after some days (retention)."""
    limit = utcnow() - timedelta(days=days)
    gone = PushDelivery.delete().where((PushDelivery.status != PUSH_PENDING)
                                       & (PushDelivery.created_at < limit)).execute()
    return gone + Notice.delete().where(Notice.released_at.is_null(False)
                                        & (Notice.released_at < limit)).execute()
