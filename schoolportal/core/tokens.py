"""Secret tokens for links in mails: random, stored only as a hash, used once."""

import hashlib
import secrets


def new_token():
    """A fresh token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    """The stored form of a token (SHA-256: the token itself has 256 random bits)."""
    return hashlib.sha256((token or "").encode("utf-8", "replace")).hexdigest()


def looks_like_token(token):
    """Cheap check before any database look-up: tokens are short and URL-safe."""
    return bool(token) and len(token) <= 100 and all(
        c.isalnum() or c in "-_" for c in token
    )
