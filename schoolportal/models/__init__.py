"""The models, one module per area; MODELS lists every table the migrations create."""

from . import (  # noqa: F401 (their models join MODELS)
    absence,
    access,
    audit,
    calendar,
    coaching,
    consent,
    conversations,
    erasure,
    feed,
    imports,
    meetings,
    photos,
    rollover,
    surveys,
)
from .base import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    ROLES,
    BaseModel,
    normalize_email,
    utcnow,
)
from .mail import JobRun, OutboxMail
from .onboarding import Invitation
from .school import Group, GroupStaff, Guardianship, Pupil, School, User
from .security import AuthSession, LoginAttempt


def _all_models():
    """Every table-backed model, parents before children (the order they were defined)."""
    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop(0)
        found.append(model)
        todo.extend(model.__subclasses__())
    return found


MODELS = _all_models()

__all__ = [
    "MODELS", "ROLES", "ROLE_ADMIN", "ROLE_PARENT", "ROLE_STAFF", "AuthSession", "BaseModel",
    "Group", "GroupStaff", "Guardianship", "Invitation", "JobRun", "LoginAttempt", "OutboxMail",
    "Pupil", "School", "User",
    "normalize_email", "utcnow",
]
