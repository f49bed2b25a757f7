"""Who may see and change access requests."""

from functools import wraps

from flask import abort
from flask_login import current_user

from schoolportal.access.models import AccessRequest
from schoolportal.authz import (
    RULE_ATTR,
    _deny,
)
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLES,
)


def decides_access_requests(view):
    """Admins only see and decide access requests; other signed-in users get 404.

    Teachers do not: checking parental authority is the school office's job, and a
    request names a family before anyone has verified it.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        denial = _deny(frozenset(ROLES))  # logged out: to the login page
        if denial is not None:
            return denial
        if current_user.role != ROLE_ADMIN:
            abort(404)
        return view(*args, **kwargs)

    setattr(guarded, RULE_ATTR, frozenset({ROLE_ADMIN}))
    return guarded


def access_request_or_404(user, request_id):
    """One access request, for the admins who decide them; 404 otherwise."""
    if user.role != ROLE_ADMIN:
        abort(404)
    found = AccessRequest.get_or_none(AccessRequest.id == request_id)
    if found is None:
        abort(404)
    return found


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "access_request": (AccessRequest, access_request_or_404),
}
