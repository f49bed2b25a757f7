"""A push service of our own on 127.0.0.1 (RFC 8030) that checks what the portal sends.

Every POST must carry a VAPID JWT (RFC 8292) signed with the key in `k` (checked with the
public key the portal hands browsers), whose `aud` is this service's origin and whose `exp`
lies in the future and at most 24 hours ahead; its body is decrypted (aes128gcm, RFC 8291)
with the subscription's private key and auth secret, as a browser would. What arrives is
kept in `received`; `answers` lets a test make the service answer 5xx, 410 and so on.
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.support.smtp import free_port


def b64url(data):
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    """Bytes from base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    """One push the service accepted: to which subscription, the payload, the headers."""

    token: str
    payload: dict
    headers: dict  # names in lower case
    claims: dict


class Refused(Exception):
    """A request the service refuses (bad JWT, undecryptable body)."""


class PushService:
    """The service: subscribe() makes a browser-like subscription; start() and stop() it."""

    def __init__(self, vapid_public_key=None):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.vapid_public_key = vapid_public_key  # base64url; None: any key is accepted
        self.keys = {}  # token -> (private key, auth secret)
        self.received, self.refused, self.requests = [], [], 0
        self.answers = []  # statuses to answer with before accepting (e.g. [503, 503])
        self.gone = set()  # tokens answered with 410 Gone
        self.lock = threading.Lock()
        self.server = self.thread = None

    def subscribe(self):
        """A new subscription as PushManager.subscribe() gives it: endpoint and keys."""
        token = b64url(os.urandom(12))
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.keys[token] = (private, auth)
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{token}", "p256dh": b64url(public),
                "auth": b64url(auth)}

    def start(self):
        """Listen (again) on the same port."""
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = service.handle(self.path, headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                if status == 201:
                    self.send_header("Location", f"{service.origin}/message/{service.requests}")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        # shutdown() waits for the loop to look up: poll often, not every half second
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Stop listening: the portal's requests now fail to connect."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.server = None

    def handle(self, path, headers, body):
        """Check and decrypt one push; returns the status to answer with."""
        with self.lock:
            self.requests += 1
            token = path.rsplit("/", 1)[-1]
            if token in self.gone:
                return 410
            if token not in self.keys:
                return 404
            if self.answers:
                return self.answers.pop(0)
            try:
                claims = self.check_vapid(headers.get("authorization", ""))
                payload = self.decrypt(token, headers, body)
            except Refused as refusal:
                self.refused.append(str(refusal))
                return 403 if "JWT" in str(refusal) else 400
            self.received.append(Received(token, payload, headers, claims))
            return 201

    def check_vapid(self, authorization):
        """The claims of a valid VAPID header (`vapid t=<jwt>,k=<key>`); Refused otherwise."""
        scheme, _space, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(f"JWT: not a vapid Authorization header: {authorization[:40]!r}")
        parts = dict(item.split("=", 1) for item in rest.split(","))
        key = parts.get("k", "")
        if self.vapid_public_key and key != self.vapid_public_key:
            raise Refused("JWT: signed with another key than the portal publishes")
        header_b64, claims_b64, signature_b64 = parts.get("t", "..").split(".")
        signature = unb64url(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        try:
            public.verify(encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                               int.from_bytes(signature[32:], "big")),
                          f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused("JWT: bad signature") from None
        header, claims = json.loads(unb64url(header_b64)), json.loads(unb64url(claims_b64))
        if header.get("alg") != "ES256":
            raise Refused(f"JWT: alg {header.get('alg')}")
        if claims.get("aud") != self.origin:
            raise Refused(f"JWT: aud {claims.get('aud')!r} is not {self.origin}")
        now = time.time()
        if not now < claims.get("exp", 0) <= now + 24 * 3600:
            raise Refused(f"JWT: exp {claims.get('exp')} not within 24 hours of {now}")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise Refused("JWT: no sub")
        return claims

    def decrypt(self, token, headers, body):
        """The payload as the browser decrypts it (aes128gcm with its private key)."""
        if headers.get("content-encoding") != "aes128gcm":
            raise Refused(f"Content-Encoding {headers.get('content-encoding')!r}")
        private, auth = self.keys[token]
        try:
            plain = http_ece.decrypt(body, private_key=private, auth_secret=auth,
                                     version="aes128gcm")
        except Exception as error:
            raise Refused(f"cannot decrypt: {error}") from None
        return json.loads(plain)

    def payloads(self, token=None):
        """The decrypted payloads received (for one subscription, or all), in order."""
        return [r.payload for r in self.received if token is None or r.token == token]


def token_of(endpoint):
    """The subscription's token: the last part of its endpoint."""
    return endpoint.rsplit("/", 1)[-1]
