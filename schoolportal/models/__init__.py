"""The models, one module per area; MODELS lists every table the migrations create."""

from .base import (
    ROLE_ADMIN,
    ROLE_PARENT,
    ROLE_STAFF,
    ROLES,
    BaseModel,
    normalize_email,
    utcnow,
)
from .school import Group, GroupStaff, Guardianship, Pupil, School, User
from .mail import JobRun, OutboxMail
from .onboarding import Invitation
from .security import AuthSession, LoginAttempt

MODELS = [
    School, Group, Pupil, User, Guardianship, GroupStaff, AuthSession, LoginAttempt,
    OutboxMail, JobRun, Invitation,
]

__all__ = [
    "MODELS", "ROLES", "ROLE_ADMIN", "ROLE_PARENT", "ROLE_STAFF", "AuthSession", "BaseModel",
    "Group", "GroupStaff", "Guardianship", "Invitation", "JobRun", "LoginAttempt", "OutboxMail",
    "Pupil", "School", "User",
    "normalize_email", "utcnow",
]
