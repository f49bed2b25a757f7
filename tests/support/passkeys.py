"""A software authenticator for tests without a browser, and the DevTools one for Chromium.

SoftAuthenticator makes real WebAuthn answers (P-256 keys, "none" attestation, CBOR), so
the server's checks run exactly as for a phone. `virtual_authenticator` adds Chromium's own
virtual authenticator to a Playwright page through the DevTools protocol's WebAuthn domain.
"""

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.web import csrf_token_from


def b64(data):
    """Bytes as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    """base64url as bytes."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One authenticator holding discoverable credentials, with user verification."""

    def __init__(self):
        self.credentials = {}  # credential id (bytes) -> [private key, user handle, counter]

    def create(self, options, origin, counter=0):
        """The answer to navigator.credentials.create(options)."""
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = os.urandom(32)
        handle = unb64(options["user"]["id"])
        self.credentials[credential_id] = [key, handle, counter]
        numbers = key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x45])
                     + struct.pack(">I", counter) + bytes(16)
                     + struct.pack(">H", len(credential_id)) + credential_id + cose)
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(credential_id), "rawId": b64(credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data),
                             "attestationObject": b64(attestation), "transports": ["internal"]},
                "clientExtensionResults": {}}

    def get(self, options, origin, rp_id, credential_id=None, counter=None):
        """The answer to navigator.credentials.get(options) with one of its credentials."""
        allowed = [unb64(c["id"]) for c in options.get("allowCredentials") or []]
        if credential_id is None:
            credential_id = next(c for c in self.credentials if not allowed or c in allowed)
        entry = self.credentials[credential_id]
        entry[2] = entry[2] + 1 if counter is None else counter
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([0x05])
                     + struct.pack(">I", entry[2]))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = entry[0].sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return {"id": b64(credential_id), "rawId": b64(credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data),
                             "authenticatorData": b64(auth_data), "signature": b64(signature),
                             "userHandle": b64(entry[1])},
                "clientExtensionResults": {}}

    @staticmethod
    def _client_data(kind, challenge, origin):
        """clientDataJSON as a browser writes it."""
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()


def post_json(client, url, page_html, body=None):
    """POST JSON with the CSRF token of a rendered page, as static/js/passkeys.js does."""
    return client.post(url, json=body or {},
                       headers={"X-CSRFToken": csrf_token_from(page_html),
                                "Accept": "application/json"})


def add_passkey(client, authenticator, origin, name="Testtelefoon"):
    """Add a passkey through /account with this client (logged in); returns the response."""
    page = client.get("/account").get_data(as_text=True)
    options = post_json(client, "/account/passkeys/options", page).get_json()
    credential = authenticator.create(options, origin)
    return post_json(client, "/account/passkeys", page,
                     {"credential": credential, "name": name})


def virtual_authenticator(page):
    """Give the page's browser a platform authenticator that verifies the user at once."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    found = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return session, found["authenticatorId"]
