"""Passkeys and the second factor: what a user signs in with besides the password."""

import peewee as pw

from schoolportal.core.models import BaseModel, User, utcnow

CEREMONIES = ("register", "login", "second")  # adding a passkey, signing in, second factor


class Passkey(BaseModel):
    """A WebAuthn credential (discoverable, user-verified) that signs a user in."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    credential_id = pw.CharField(max_length=1400, unique=True)  # base64url, up to 1023 bytes
    user_handle = pw.CharField(max_length=100)  # base64url of random bytes, never the id
    public_key = pw.TextField()  # base64url of the COSE key
    sign_count = pw.BigIntegerField(default=0)
    name = pw.CharField(max_length=60)
    transports = pw.CharField(max_length=200, default="")  # comma separated
    backed_up = pw.BooleanField(default=False)  # synced by a passkey provider
    created_at = pw.DateTimeField(default=utcnow)
    last_used_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "passkey"


class PasskeyChallenge(BaseModel):
    """A challenge handed to one browser session; deleted when it is used (single use)."""

    key_hash = pw.CharField(max_length=64, unique=True)  # SHA-256 of the key in the session
    ceremony = pw.CharField(max_length=8, constraints=[
        pw.Check("ceremony IN ('register','login','second')")])
    user = pw.ForeignKeyField(User, null=True, backref="+", on_delete="CASCADE")
    challenge = pw.CharField(max_length=100)  # base64url
    user_handle = pw.CharField(max_length=100, null=True)  # given to a passkey being added
    expires_at = pw.DateTimeField(index=True)

    class Meta:
        table_name = "passkey_challenge"


class AuthenticatorApp(BaseModel):
    """A time-based code generator (TOTP) set up by a member of staff."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    secret = pw.TextField()  # the base32 secret, encrypted with a key from SECRET_KEY
    confirmed_at = pw.DateTimeField(null=True)  # null until a first code proved the setup
    last_used_step = pw.BigIntegerField(default=0)  # a code's time step is accepted once
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "authenticator_app"


class RecoveryCode(BaseModel):
    """One of ten single-use codes for when the second factor is lost; stored hashed."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    salt = pw.CharField(max_length=32)
    code_hash = pw.CharField(max_length=64)
    used_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "recovery_code"


class SecondFactorObligation(BaseModel):
    """Since when a member of staff is asked for a second factor (the grace period's start)."""

    user = pw.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    applies_since = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "second_factor_obligation"
