"""Who may see and change photo consent.

Parents choose for their own children at school; staff read the choices and history of their
groups' pupils, admins of all; only admins manage the categories.
"""

from schoolportal.authz import (
    admins_only,
    found_or_404,
    nothing,
    real_id_or_404,
    staffed_group_ids,
    visible_group_list,
    visible_groups,
    visible_pupils,
)
from schoolportal.consent.models import ConsentCategory
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, Group, Pupil


def consent_children(user):
    """The children a parent chooses photo consent for: own children at school."""
    query = visible_pupils(user)
    return query if user.role == ROLE_PARENT else nothing(query)


def consent_choosable_pupils(user):
    """The pupils whose consent this user may set: a parent's own children at school, and
    for admins every pupil at school (the office records a paper consent form)."""
    if user.role == ROLE_ADMIN:
        return visible_pupils(user)
    return consent_children(user)


def consent_child_or_404(user, pupil_id):
    """A child whose consent this user may set; 404 for anyone else's, also for guesses."""
    return found_or_404(consent_choosable_pupils(user).where(
        Pupil.id == real_id_or_404(pupil_id)).first())


def may_set_consent_of(user, pupil):
    """True when this user may set the pupil's consent (used to show the buttons)."""
    return consent_choosable_pupils(user).where(Pupil.id == pupil.id).exists()


def records_paper_consent(user, pupil):
    """True when the office may record a parent's paper form for this pupil (admins only)."""
    return user.role == ROLE_ADMIN and may_set_consent_of(user, pupil)


def consent_groups(user):
    """The groups whose consent overview this user may read: own groups for staff; admins all."""
    if user.role not in (ROLE_ADMIN, ROLE_STAFF):
        return nothing(Group.ordered())
    return visible_groups(user)


def consent_group_list(user):
    """`consent_groups` as a list, from the groups the request loaded already."""
    return list(visible_group_list(user)) if user.role in (ROLE_ADMIN, ROLE_STAFF) else []


def consent_group_or_404(user, group_id):
    """A group whose consent overview this user may read; 404 otherwise."""
    return found_or_404(consent_groups(user).where(
        Group.id == real_id_or_404(group_id)).first())


def consent_pupil_or_404(user, pupil_id):
    """A child whose choices and history this user may read: own child, own group, or any
    for admins; 404 otherwise."""
    return found_or_404(visible_pupils(user).where(Pupil.id == real_id_or_404(pupil_id)).first())


def consent_category_or_404(user, category_id):
    """Any consent category (also a deactivated one), for admins; 404 otherwise."""
    from schoolportal.consent.models import ConsentCategory

    return found_or_404(admins_only(user, ConsentCategory.select()).where(
        ConsentCategory.id == real_id_or_404(category_id)).first())


def consent_followed_pupils(user):
    """Subquery: the pupils whose consent changes a member of staff is told about."""
    if user.role != ROLE_STAFF:
        return nothing(Pupil.select(Pupil.id))
    return Pupil.select(Pupil.id).where(
        Pupil.group.in_(staffed_group_ids(user)) & Pupil.at_school())


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "consent_category": (ConsentCategory, consent_category_or_404),
}
