"""Who may see and change family export and erasure.

A parent exports only their own family (the route takes no id). Admins find any family (to
export it for a request by mail, or to erase it); erased accounts are not families.
"""

from flask import abort

from schoolportal.authz import (
    admins_only,
    found_or_404,
    real_id_or_404,
)
from schoolportal.core.models import ROLE_PARENT, User
from schoolportal.family_data.models import Erasure


def exporting_parent(user):
    """The account a parent's own export is about: always their own; 404 for anyone else."""
    if user.role != ROLE_PARENT:
        abort(404)
    return user


def family_accounts(user):
    """Parent accounts (not erased) an admin may export or erase; none for anyone else."""
    return admins_only(user, User.select().where(
        (User.role == ROLE_PARENT) & User.erased_at.is_null()))


def family_account_or_404(user, account_id):
    """One parent account for an admin's family pages; 404 otherwise."""
    return found_or_404(family_accounts(user).where(
        User.id == real_id_or_404(account_id)).first())


def erasure_or_404(user, erasure_id):
    """One erasure, for admins; 404 otherwise."""
    return found_or_404(admins_only(user, Erasure.select()).where(
        Erasure.id == real_id_or_404(erasure_id)).first())


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "erasure": (Erasure, erasure_or_404),
}
