"""Recovery codes: ten single-use codes for when a second factor is lost, stored hashed.

About 50 random bits each (ten characters from 31 that cannot be mixed up), each stored as
SHA-256 with its own 128-bit salt (ASVS 2.6.2). A code is used up by a conditional update,
so it works once even when sent twice at the same moment.
"""

import hashlib
import hmac
import secrets

from schoolportal.auth.models import RecoveryCode
from schoolportal.core import audit
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
LENGTH = 10


def _code_hash(salt, code):
    """The stored form of a recovery code."""
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _normalise(code):
    """A typed recovery code without spaces, dashes and capitals."""
    return "".join(c for c in (code or "").lower() if c.isalnum())[:40]


def replace(user):
    """Delete the user's codes and make ten new ones; returns them ("abcde-fghjk")."""
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    codes, rows = [], []
    for _ in range(COUNT):
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        salt = secrets.token_hex(16)
        rows.append({"user": user.id, "salt": salt, "code_hash": _code_hash(salt, code),
                     "created_at": utcnow()})
        codes.append(f"{code[:5]}-{code[5:]}")
    RecoveryCode.insert_many(rows).execute()
    return codes


def renew(user):
    """Ten new recovery codes (the old ones stop working); returns them to show once."""
    with write_transaction():
        audit.record("second_factor", "account", user.id, step="recovery_codes_made")
        return replace(user)


def use(user, code):
    """True when the code is one of the user's unused ones (then it is used up)."""
    code = _normalise(code)
    if len(code) != LENGTH:
        return False
    with write_transaction():
        for row in RecoveryCode.select().where((RecoveryCode.user == user.id)
                                               & RecoveryCode.used_at.is_null()):
            if hmac.compare_digest(_code_hash(row.salt, code), row.code_hash):
                used = RecoveryCode.update(used_at=utcnow()).where(
                    (RecoveryCode.id == row.id) & RecoveryCode.used_at.is_null()).execute()
                if used == 1:
                    audit.record("second_factor", "account", user.id, actor=user,
                                 step="recovery_code_used")
                return used == 1
    return False
