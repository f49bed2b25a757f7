"""Access requests: a public form stores the request; an admin matches it to a pupil.

Submitting looks up neither the child nor the address, so the answer (and its timing) is
the same whether or not they exist; it is throttled by counts per network address and
per email address only. Approving is a conditional update from pending, so two admins
clicking at once approve once; the approval invites the address through
`invitations.invite_guardian` in the same transaction.
"""

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from schoolportal.access.models import (
    REQUEST_APPROVED,
    REQUEST_PENDING,
    REQUEST_REJECTED,
    AccessRequest,
)
from schoolportal.core import clock, outbox
from schoolportal.core.database import write_transaction
from schoolportal.core.i18n import formatted
from schoolportal.core.models import Group, Pupil, School, User, normalize_email, utcnow
from schoolportal.invitations import service as invitations_service

MINIMUM_AGE = 4  # children start school, and get a portal account, from their 4th birthday
MAX_SUGGESTIONS = 8
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Defaults; the app config may override them. A school evening on the school's own
# network easily brings a handful of families behind one address, hence 10 per hour.
DEFAULT_LIMITS = {
    "ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR": 10,
    "ACCESS_REQUESTS_PER_EMAIL_PER_DAY": 3,
}


class AccessRequestError(ValueError):
    """A decision that cannot be made, with a message for the admin who tried."""


class AlreadyDecided(AccessRequestError):
    """Someone decided on this request already."""


class Throttled(Exception):
    """Too many requests from this network address or for this email address."""


def _limit(name):
    """A throttling limit from the config, or its default."""
    return current_app.config.get(name, DEFAULT_LIMITS[name])


def is_throttled(email, ip, now=None):
    """True when this network address or email address has sent enough requests for now."""
    now = now or utcnow()
    by_ip = AccessRequest.select().where(
        (AccessRequest.ip == ip) & (AccessRequest.created_at > now - timedelta(hours=1))
    ).count()
    if by_ip >= _limit("ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR"):
        return True
    by_email = AccessRequest.select().where(
        (AccessRequest.email == normalize_email(email))
        & (AccessRequest.created_at > now - timedelta(days=1))
    ).count()
    return by_email >= _limit("ACCESS_REQUESTS_PER_EMAIL_PER_DAY")


def submit(ip, language, **fields):
    """Store a request; raises Throttled when this address or email has sent too many."""
    fields["email"] = normalize_email(fields["email"])
    with write_transaction():
        # Counted inside the write transaction (BEGIN IMMEDIATE on SQLite) so parallel
        # submissions queue up behind each other's counts.
        if is_throttled(fields["email"], ip):
            raise Throttled
        return AccessRequest.create(ip=ip[:45], language=language, declared_authority=True,
                                    **fields)


def pending_requests():
    """Requests waiting for a decision, oldest first."""
    return AccessRequest.pending()


school_today = clock.school_today  # the school's date decides birthdays


def age_on(birth_date, day):
    """Age in whole years on a day (born on 29 February: a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def current_pupils(today=None):
    """Pupils at school now (not left), with their group."""
    today = today or school_today()
    return Pupil.select(Pupil, Group).join(Group).where(
        Pupil.left_on.is_null() | (Pupil.left_on > today))


def suggestions_for(requests, today=None):
    """Likely pupils per request id: same last name, or same first name and birth date.

    One query for all requests; the best matches (name and birth date) come first.
    """
    requests = list(requests)
    result = {r.id: [] for r in requests}
    if not requests:
        return result
    last_names = set().union(*(_lowered_forms(r.child_last_name) for r in requests))
    first_names = set().union(*(_lowered_forms(r.child_first_name) for r in requests))
    births = {r.child_birth_date for r in requests}
    candidates = list(current_pupils(today).where(
        fn.LOWER(Pupil.last_name).in_(last_names)
        | (fn.LOWER(Pupil.first_name).in_(first_names) & Pupil.birth_date.in_(births))
    ).order_by(Pupil.last_name, Pupil.first_name))
    for request in requests:
        scored = [(_score(request, p), p) for p in candidates]
        scored = [(score, p) for score, p in scored if score is not None]
        scored.sort(key=lambda pair: -pair[0])  # stable: name order within a score
        result[request.id] = [p for _score_, p in scored[:MAX_SUGGESTIONS]]
    return result


def _simple(name):
    """A name compared without capitals or extra spaces."""
    return " ".join((name or "").split()).lower()


def _lowered_forms(name):
    """What LOWER() in SQL may make of the stored name: SQLite lowers only A-Z."""
    simple = _simple(name)
    capitalised = " ".join(word[:1].upper() + word[1:] for word in simple.split())
    return {simple, capitalised.translate(ASCII_LOWER)}  # "Çelik" stays "Çelik" in SQLite


def _score(request, pupil):
    """How well a pupil fits a request, or None when it does not fit at all."""
    same_last = _simple(pupil.last_name) == _simple(request.child_last_name)
    same_first = _simple(pupil.first_name) == _simple(request.child_first_name)
    same_birth = pupil.birth_date == request.child_birth_date
    if not (same_last or (same_first and same_birth)):
        return None
    return same_last + same_first + same_birth


def find_pupil(pupil_id=None, pupil_number=None, today=None):
    """A current pupil by id or by pupil number (leerlingnummer), or None."""
    query = current_pupils(today)
    if pupil_id:
        return query.where(Pupil.id == pupil_id).first()
    if pupil_number:
        return query.where(fn.UPPER(Pupil.pupil_number) == pupil_number.strip().upper()).first()
    return None


def approve(access_request, pupil, decided_by, today=None):
    """Link the request to a pupil of 4 or older and invite the requester's address."""
    if pupil is None:
        raise AccessRequestError(_l("Choose the pupil this request is about."))
    if age_on(pupil.birth_date, today or school_today()) < MINIMUM_AGE:
        raise AccessRequestError(_l(
            "%(child)s is not 4 years old yet. Parents get access from the child's 4th "
            "birthday; approve the request on or after %(day)s.",
            child=pupil.full_name, day=formatted(_fourth_birthday(pupil.birth_date), "date_long")))
    try:
        with write_transaction():
            _decide(access_request, REQUEST_APPROVED, decided_by, pupil=pupil)
            invitations_service.invite_guardian(pupil, access_request.email, invited_by=decided_by,
                                        language=access_request.language)
    except invitations_service.InvitationError as error:
        raise AccessRequestError(error.args[0]) from error
    return current_state(access_request)


def reject(access_request, reason, decided_by):
    """Turn the request down and tell the requester why, politely, by mail."""
    reason = reason.strip()
    if not reason:
        raise AccessRequestError(_l("Give the reason; the requester receives it by mail."))
    with write_transaction():
        _decide(access_request, REQUEST_REJECTED, decided_by, reason=reason)
        school = School.current()
        outbox.send(
            access_request.email, "access/rejected",
            _l("Your request for access to the portal of %(school)s",
               school=school.name if school else "schoolportal"),
            language=access_request.language, access_request=access_request, reason=reason,
            school=school,
        )
    return current_state(access_request)


def _decide(access_request, status, decided_by, **changes):
    """Move the request from pending to a decision; AlreadyDecided if someone was first."""
    decided = AccessRequest.update(
        status=status, decided_by=decided_by, decided_at=utcnow(), **changes
    ).where(
        (AccessRequest.id == access_request.id) & (AccessRequest.status == REQUEST_PENDING)
    ).execute()
    if decided != 1:
        raise AlreadyDecided(_l("This request has already been handled; nothing was changed."))


def current_state(access_request):
    """The request as it is stored now, with its pupil, group and decider."""
    return decided_requests().where(AccessRequest.id == access_request.id).get()


def _fourth_birthday(birth_date):
    """The day a child turns 4 (born on 29 February: 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + MINIMUM_AGE)
    except ValueError:
        return date(birth_date.year + MINIMUM_AGE, 3, 1)


def decided_requests():
    """Requests with their matched pupil (and group) and who decided, newest decision first."""
    decider = User.alias()
    return (
        AccessRequest.select(AccessRequest, Pupil, Group, decider)
        .join(Pupil, JOIN.LEFT_OUTER).join(Group, JOIN.LEFT_OUTER)
        .switch(AccessRequest)
        .join(decider, JOIN.LEFT_OUTER, on=(AccessRequest.decided_by == decider.id))
        .order_by(AccessRequest.decided_at.desc(), AccessRequest.id.desc())
    )


def recently_decided(limit=10):
    """The last decisions, for the queue page."""
    return decided_requests().where(AccessRequest.status != REQUEST_PENDING).limit(limit)


def purge_decided(days=365):
    """Delete decided requests older than `days`: they hold personal data nobody needs."""
    cutoff = utcnow() - timedelta(days=days)
    return AccessRequest.delete().where(
        (AccessRequest.status != REQUEST_PENDING) & (AccessRequest.decided_at < cutoff)
    ).execute()
