"""Who may see and change passkeys: only their owner (staff and admins too see only theirs)."""

from schoolportal.auth.models import Passkey
from schoolportal.authz import found_or_404, real_id_or_404


def own_passkeys(user):
    """The user's own passkeys."""
    return Passkey.select().where(Passkey.user == user.id)


def own_passkey_or_404(user, passkey_id):
    """One of the user's own passkeys; 404 for anyone else's, whatever the id."""
    return found_or_404(own_passkeys(user).where(Passkey.id == real_id_or_404(passkey_id)).first())


FINDERS = {"passkey": (Passkey, own_passkey_or_404)}
