"""Who may see and change the administration (groups, pupils, staff, the outbox)."""

from flask import current_app

from schoolportal.authz import (
    admins_only,
    found_or_404,
    real_id_or_404,
)
from schoolportal.core.models import (
    ROLE_ADMIN,
    ROLE_STAFF,
    Group,
    Guardianship,
    OutboxMail,
    Pupil,
    User,
)


def administered_groups(user):
    """Every group of every school year, for admins."""
    return admins_only(user, Group.select())


def administered_group_or_404(user, group_id):
    """One group an admin manages; 404 otherwise."""
    return found_or_404(administered_groups(user).where(
        Group.id == real_id_or_404(group_id)).first())


def administered_pupils(user):
    """Every pupil, also those who left school, for admins."""
    return admins_only(user, Pupil.select(Pupil, Group).join(Group))


def administered_pupil_or_404(user, pupil_id):
    """One pupil an admin manages, also after leaving; 404 otherwise."""
    return found_or_404(administered_pupils(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def administered_guardianship_or_404(user, pupil, guardian_id):
    """The link between this pupil and this guardian, for admins; 404 otherwise."""
    query = Guardianship.select(Guardianship, User).join(User).where(
        (Guardianship.pupil == pupil) & (Guardianship.guardian == real_id_or_404(guardian_id)))
    return found_or_404(admins_only(user, query).first())


def administered_staff(user):
    """The accounts of staff and admins, for admins."""
    return admins_only(user, User.select().where(User.role.in_([ROLE_ADMIN, ROLE_STAFF])))


def administered_staff_or_404(user, account_id):
    """One staff or admin account, for admins; 404 otherwise."""
    return found_or_404(administered_staff(user).where(
        User.id == real_id_or_404(account_id)).first())


def administered_mail_or_404(user, mail_id):
    """One outbox mail (without assuming its body may be read), for admins; 404 otherwise."""
    return found_or_404(admins_only(user, OutboxMail.select()).where(
        OutboxMail.id == real_id_or_404(mail_id)).first())


def may_read_mail_bodies(user):
    """Admins read mail bodies only when mail never leaves the machine (the demo).

    With real delivery a body can hold someone else's single-use activation link: an
    admin who could read it could activate another person's account.
    """
    return user.role == ROLE_ADMIN and current_app.config["MAIL_BACKEND"] == "portal"


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "staff_account": (User, administered_staff_or_404),
    "outbox_mail": (OutboxMail, administered_mail_or_404),
}
