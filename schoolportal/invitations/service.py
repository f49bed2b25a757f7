"""Invitations: staff invite a guardian (or a colleague); the link activates the account.

An invited address gets an account at once, without a password, so the child is linked
from the start; the single-use link (valid INVITATION_DAYS) lets its owner set name,
password and language. Inviting an address that already has an active account links
the child to it and tells the owner.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError, chunked

from schoolportal.auth import passwords
from schoolportal.core import audit, outbox, tokens
from schoolportal.core.database import write_transaction
from schoolportal.core.models import (
    ROLE_PARENT,
    ROLE_STAFF,
    GroupStaff,
    Guardianship,
    School,
    User,
    normalize_email,
    utcnow,
)
from schoolportal.invitations.models import Invitation

INVITATION_DAYS = 14


class InvitationError(ValueError):
    """An invitation that cannot be made, with a message for the person who tried."""


def invite_guardian(pupil, email, invited_by=None, language=None):
    """Link the address to the pupil and mail an invitation (or a notice for an active account).

    Returns the new Invitation, or None when an active account was linked directly.
    """
    with write_transaction():
        user = _account_for(email, ROLE_PARENT, language=language)
        linked = Guardianship.insert(guardian=user, pupil=pupil).on_conflict_ignore() \
            .as_rowcount().execute()
        if user.password_hash:
            if linked:  # an account that was linked already is not told again
                outbox.send(user, "invitations/child_linked",
                            _l("%(child)s is linked to your account", child=pupil.first_name),
                            pupil=pupil, school=School.current())
            return None
        return _issue(user, pupil, invited_by)


def invite_staff(email, display_name, invited_by=None, groups=(), role=ROLE_STAFF):
    """Create a staff (or admin) account, assign its groups and mail an invitation."""
    with write_transaction():
        user = _account_for(email, role, display_name)
        rows = [{"staff": user.id, "group": group} for group in groups]
        if rows:
            GroupStaff.insert_many(rows).on_conflict_ignore().execute()
        if user.password_hash:
            return None
        # Inviting someone as staff or admin gives a role: the audit log keeps who gave it.
        audit.record("role_change", "user", user.id, actor=invited_by, role=role, invited=True)
        return _issue(user, None, invited_by)


def resend(invitation, invited_by=None):
    """Replace an invitation by a fresh one (the old link stops working) and mail it."""
    with write_transaction():
        user = User.get_by_id(invitation.user_id)
        if user.password_hash:
            raise InvitationError(_l("This account has been activated already."))
        if not user.active:
            raise InvitationError(_l("This address belongs to a deactivated account."))
        return _issue(user, invitation.pupil, invited_by)


def revoke(invitation):
    """Make an invitation's link stop working; True when it was still usable."""
    return Invitation.update(revoked_at=utcnow()).where(
        (Invitation.id == invitation.id) & Invitation.used_at.is_null()
        & Invitation.revoked_at.is_null()
    ).execute() == 1


def find_usable(token):
    """The invitation whose link is this token, if it still works; else None."""
    if not tokens.looks_like_token(token):
        return None
    # A deactivated account stays deactivated, whatever old link is used.
    return (Invitation.usable(utcnow()).select_extend(User)
            .join(User, on=(Invitation.user == User.id))
            .where((Invitation.token_hash == tokens.hash_token(token))
                   & (User.active == True))  # noqa: E712 (peewee expression)
            .first())


def activate(token, display_name, password, language):
    """Use the link once: set name, password and language. Returns the user, or None."""
    with write_transaction():
        invitation = find_usable(token)
        if invitation is None:
            return None
        now = utcnow()
        used = Invitation.update(used_at=now).where(
            (Invitation.id == invitation.id) & Invitation.used_at.is_null()
            & Invitation.revoked_at.is_null() & (Invitation.expires_at > now)
        ).execute()
        if used != 1:
            return None  # used or revoked a moment ago, in another request
        User.update(
            display_name=display_name.strip(), language=language,
            password_hash=passwords.hash_password(password),
        ).where(User.id == invitation.user_id).execute()
        return User.get_by_id(invitation.user_id)


class GuardianStatus(NamedTuple):
    """A guardian of a pupil, as staff see it on the pupil's guardians page."""

    user: User
    invitation: Invitation | None  # the latest invitation for this pupil, if any
    revocable: bool  # that invitation's link still works
    open_until: datetime | None  # when the account's open invitation stops working


def guardians_of(pupil):
    """The pupil's guardians by name; for accounts not yet activated, their invitations."""
    users = list(
        User.select().join(Guardianship, on=(Guardianship.guardian == User.id))
        .where(Guardianship.pupil == pupil).order_by(User.display_name, User.id)
    )
    pending = [user.id for user in users if not user.password_hash]
    latest, open_until, now = {}, {}, utcnow()
    if pending:
        newest_first = Invitation.select().where(Invitation.user.in_(pending)).order_by(
            Invitation.id.desc())
        for invitation in newest_first:
            if invitation.pupil_id == pupil.id:
                latest.setdefault(invitation.user_id, invitation)
            if invitation.works_at(now):
                open_until.setdefault(invitation.user_id, invitation.expires_at)
    rows = []
    for user in users:
        invitation = latest.get(user.id)
        revocable = invitation is not None and invitation.works_at(now)
        rows.append(GuardianStatus(user, invitation, revocable, open_until.get(user.id)))
    return rows


def _account_for(email, role, display_name=None, language=None):
    """The account of this address, created without a password when it is new."""
    email = normalize_email(email)
    name = (display_name or email.split("@")[0])[:100]
    try:
        with write_transaction():
            User.create(email=email, display_name=name, role=role, password_hash=None,
                        language=language if language in ("nl", "en") else "nl")
    except IntegrityError:
        pass  # the address already has an account: use it
    user = User.get(User.email == email)
    if user.role != role and role == ROLE_PARENT:
        raise InvitationError(_l(
            "This address belongs to a member of staff. Invite the parent or guardian "
            "with their own address."))
    if user.role != role:
        raise InvitationError(_l("This address belongs to an account with another role."))
    if not user.active:
        raise InvitationError(_l("This address belongs to a deactivated account."))
    return user


def _issue(user, pupil, invited_by):
    """Revoke the user's open invitations, make a new one and queue its mail."""
    now = utcnow()
    Invitation.update(revoked_at=now).where(
        (Invitation.user == user) & Invitation.used_at.is_null() & Invitation.revoked_at.is_null()
    ).execute()
    token, token_hash = tokens.new_token()
    invitation = Invitation.create(
        user=user, pupil=pupil, token_hash=token_hash, invited_by=invited_by,
        created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    outbox.send(
        user, "invitations/invitation", _l("Your invitation to the portal of %(school)s",
                               school=_school_name()),
        link=outbox.absolute_url("onboarding.activate", token=token), pupil=pupil,
        invited_by=invited_by, school=School.current(), days=INVITATION_DAYS,
    )
    return invitation


def _school_name():
    """The school's name for subjects."""
    school = School.current()
    return school.name if school else "schoolportal"


def invite_many(pairs, invited_by, school):
    """Invite many (account, child) pairs with a few bulk statements (imports, the demo)."""
    now, tokens_by_pair, rows = utcnow(), [], []
    for user, pupil in pairs:
        token, token_hash = tokens.new_token()
        tokens_by_pair.append(token)
        rows.append({"user": user.id, "pupil": pupil.id, "token_hash": token_hash,
                     "invited_by": invited_by.id if invited_by else None, "created_at": now,
                     "expires_at": now + timedelta(days=INVITATION_DAYS)})
    for batch in chunked(rows, 500):
        Invitation.insert_many(batch).execute()
    subject = _l("Your invitation to the portal of %(school)s",
                 school=school.name if school else "schoolportal")
    for (user, pupil), token in zip(pairs, tokens_by_pair, strict=True):
        outbox.send(user, "invitations/invitation", subject, pupil=pupil, invited_by=invited_by,
                    link=outbox.absolute_url("onboarding.activate", token=token),
                    school=school, days=INVITATION_DAYS)
