"""The VAPID key pair (RFC 8292) that identifies this portal to the browsers' push services.

The private key is read from VAPID_PRIVATE_KEY (PEM, or the raw key in base64url) or else
from `<instance>/vapid_private.pem`, made by `flask --app schoolportal vapid-keys` or by
`init-db` when missing. It is never in git. Losing it means every device has to turn
notifications on again, so back the file up with the database.
"""

import base64
import os
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import current_app
from py_vapid import Vapid02

FILE_NAME = "vapid_private.pem"


def key_file(app=None):
    """Where the private key is kept when it does not come from the environment."""
    app = app or current_app
    return Path(app.instance_path) / FILE_NAME


def load(app=None):
    """The key pair as a py_vapid Vapid02, or None while none is configured."""
    app = app or current_app
    configured = (app.config.get("VAPID_PRIVATE_KEY") or "").strip()
    if configured:
        if configured.startswith("-----BEGIN"):
            return Vapid02.from_pem(configured.encode())
        return Vapid02.from_raw(configured.encode())
    path = key_file(app)
    return Vapid02.from_file(str(path)) if path.is_file() else None


def ensure(app=None):
    """Make and store a key pair when none is configured; returns (vapid, made_now)."""
    app = app or current_app
    existing = load(app)
    if existing is not None:
        return existing, False
    vapid = Vapid02()
    vapid.generate_keys()
    path = key_file(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Readable by the portal's user only: whoever holds it can push to every device.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it at the same moment: use theirs
        for _ in range(50):
            try:
                existing = load(app)
            except ValueError:  # still being written
                existing = None
            if existing is not None:
                return existing, False
            time.sleep(0.02)
        raise
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(vapid.private_pem())
    return vapid, True


def public_key(vapid):
    """The public key as the browser's `applicationServerKey` wants it (base64url, no padding)."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subject(app=None):
    """The contact the push services may write to about this sender (the `sub` claim)."""
    app = app or current_app
    configured = app.config.get("VAPID_SUBJECT") or ""
    if configured:
        return configured
    sender = app.config.get("MAIL_DEFAULT_SENDER") or "noreply@example.org"
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return f"mailto:{address}"
