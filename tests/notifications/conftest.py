"""Fixtures of the notification tests: a VAPID key, the push service, devices turned on."""

import pytest
from py_vapid import Vapid02

from schoolportal.core.extensions import db
from schoolportal.core.models import User
from schoolportal.notifications import vapid
from schoolportal.notifications.models import PushSubscription
from tests.support.push import PushService, token_of
from tests.support.web import csrf_token_from


@pytest.fixture
def vapid_public_key(app):
    """A fresh VAPID key pair for this app (from the environment, as in production)."""
    key = Vapid02()
    key.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = key.private_pem().decode()
    app.config["PUSH_RETRY_BASE_SECONDS"] = 60
    return vapid.public_key(key)


@pytest.fixture
def push_service(vapid_public_key):
    """Our own push service on 127.0.0.1, checking the portal's JWT and decrypting."""
    service = PushService(vapid_public_key).start()
    yield service
    service.stop()


@pytest.fixture
def turn_on(push_service):
    """turn_on(client) -> the subscription's token: the browser part, done by hand."""

    def turn(client, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"):
        html = client.get("/account/notifications").get_data(as_text=True)
        subscription = push_service.subscribe()
        response = client.post("/account/notifications/devices",
                               data={**subscription, "csrf_token": csrf_token_from(html)},
                               headers={"User-Agent": user_agent})
        assert response.status_code == 201, response.get_data(as_text=True)
        return token_of(subscription["endpoint"])

    return turn


@pytest.fixture
def devices(app):
    """devices(email) -> the endpoints stored for that account."""

    def of(email):
        with app.app_context(), db.connection_context():
            user = User.by_email(email)
            return [d.endpoint for d in PushSubscription.select().where(
                PushSubscription.user == user.id)]

    return of
