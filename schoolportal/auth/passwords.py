"""Password hashing (Argon2id, memory-hard) and the rules for a new password."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128
# A few passwords that fit the length rule but are guessed first (ASVS 2.1.7).
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "qwertyuiopas", "wachtwoord12", "wachtwoord123",
    "wachtwoord1234", "password1234", "password12345", "welkom123456", "welkomwelkom",
    "passwordpassword", "qwerty123456", "aaaaaaaaaaaa", "111111111111", "000000000000",
    "iloveyou1234", "letmein12345", "hallohallo12", "zomer2026zomer", "voetbal12345",
})


def _hasher():
    """The hasher with this app's cost settings."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_KIB"]
    )


def hash_password(password):
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True when the password matches; spends the same effort when there is no hash."""
    hasher = _hasher()
    if not password_hash:
        # Hash anyway, so an unknown account answers as slowly as a wrong password.
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with weaker settings than today's."""
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password, email=""):
    """The reasons a proposed new password is not good enough (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(_l("This password is too easy to guess."))
    elif email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) > 3:
        problems.append(_l("Do not use your email address in your password."))
    return problems
