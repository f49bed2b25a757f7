""""Gelezen en begrepen": staff ask for it on a post, parents confirm, staff see who did."""

from dataclasses import dataclass

from peewee import SQL, IntegrityError, fn

from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import ROLE_PARENT, Guardianship, Pupil, User
from schoolportal.slips.models import ReadConfirmation, ReadRequest


def request_of(post):
    """The post's read request, or None."""
    return ReadRequest.get_or_none(ReadRequest.post == post.id)


def request_and_confirmed(post, user):
    """The post's read request (or None), and whether this user confirmed reading the post
    while it is asked: one statement for what the post page needs."""
    confirmed = fn.EXISTS(ReadConfirmation.select(SQL("1")).where(
        (ReadConfirmation.post == post.id) & (ReadConfirmation.account == user.id)))
    request_ = (ReadRequest.select(ReadRequest, confirmed.alias("confirmed"))
                .where(ReadRequest.post == post.id).first())
    return request_, bool(request_ is not None and request_.confirmed)


def ask(post, staff):
    """Ask the parents to confirm reading the post (asking twice changes nothing)."""
    with write_transaction():
        ReadRequest.insert(post=post.id, requested_by=staff.id).on_conflict_ignore().execute()


def stop_asking(post):
    """Stop asking; confirmations already given are kept with the post."""
    with write_transaction():
        ReadRequest.delete().where(ReadRequest.post == post.id).execute()


def confirm(post, parent):
    """The parent read and understood the post; True the first time, False after."""
    try:
        with write_transaction(), db.atomic():
            ReadConfirmation.create(post=post.id, account=parent.id)
    except IntegrityError:
        return False
    return True


def expected_readers(post):
    """The parents a post is for: guardians of the group's children (school-wide: all)."""
    return list(_expected_readers(post))


def _expected_readers(post):
    """The query behind expected_readers."""
    pupils = Pupil.select(Pupil.id).where(Pupil.at_school())
    if post.group_id is not None:
        pupils = pupils.where(Pupil.group == post.group_id)
    guardians = Guardianship.select(Guardianship.guardian).where(Guardianship.pupil.in_(pupils))
    return (User.select().where(User.id.in_(guardians) & (User.role == ROLE_PARENT)
                                & (User.active == True))  # noqa: E712
            .order_by(User.display_name, User.id))


@dataclass
class Confirmations:
    """Who confirmed reading a post (with when) and who did not yet."""

    confirmed: list  # [(user, confirmed_at)]
    missing: list  # [user]

    @property
    def total(self):
        """Everyone asked."""
        return len(self.confirmed) + len(self.missing)


def confirmations_of(post):
    """The parents of the post, split into who confirmed (and when) and who did not: one
    statement, the moment of confirming a column of the readers."""
    confirmed_at = (ReadConfirmation.select(ReadConfirmation.confirmed_at)
                    .where((ReadConfirmation.post == post.id)
                           & (ReadConfirmation.account == User.id)))
    readers = list(_expected_readers(post).select_extend(confirmed_at.alias("confirmed_at")))
    when = {u.id: ReadConfirmation.confirmed_at.python_value(u.confirmed_at)
            for u in readers if u.confirmed_at is not None}
    return Confirmations([(u, when[u.id]) for u in readers if u.id in when],
                         [u for u in readers if u.id not in when])
