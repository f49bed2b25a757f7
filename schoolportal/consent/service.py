"""Photo consent: a parent's choice per child and category, its history, and the teachers' notices.

A choice is stored with one upsert (INSERT ... ON CONFLICT (pupil, category) DO UPDATE),
after the old value has been read in the same write transaction, under a lock on the pupil
(BEGIN IMMEDIATE on SQLite, the pupil's row on PostgreSQL), so two guardians clicking at
once give two changes in order and never a lost one. A choice that changes nothing
records nothing. Every change keeps who, when and old -> new (ConsentChange), adds an
audit entry with ids and codes only, and tells the child's teachers: in the portal (their
home panel) and through the channel they chose for "photo consent changes" in the same
transaction: a push (naming the group only) or a mail; by default "daily" under the old
mail choice is told at once too (whether a photo may be used matters now), "off" means the
portal only.

Whether parents see a photo is decided from these rows at every page load
(authz.photo_held_back), so a withdrawal hides the photos of the child at once.
"""

import importlib.util
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, Case, IntegrityError, fn

from schoolportal.albums import policy as albums_policy
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.consent.models import Consent, ConsentCategory, ConsentChange
from schoolportal.core import audit, outbox
from schoolportal.core.database import MIGRATIONS_DIR, is_sqlite, write_transaction
from schoolportal.core.models import Group, GroupStaff, Pupil, School, User, utcnow
from schoolportal.notifications import service as notifications

RECENT_DAYS = 14  # how long a change stays on the teachers' home panel
DEFAULTS_MIGRATION = "016_default_consent_categories.py"


class ConsentError(ValueError):
    """A choice or category change that cannot be made, with a message for the user."""


# --- categories ------------------------------------------------------------------------

def categories(include_inactive=False):
    """The consent categories in the school's order (active ones only by default)."""
    query = ConsentCategory.select().order_by(ConsentCategory.position, ConsentCategory.id)
    return query if include_inactive else query.where(ConsentCategory.active == True)  # noqa: E712


def install_default_categories():
    """Insert the six default categories where missing (what migration 016 does)."""
    spec = importlib.util.spec_from_file_location(
        "consent_defaults", MIGRATIONS_DIR / DEFAULTS_MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._insert_defaults(ConsentCategory._meta.database.obj)


def next_position():
    """A position after every existing category."""
    return (ConsentCategory.select(fn.MAX(ConsentCategory.position)).scalar() or 0) + 10


# --- choices ---------------------------------------------------------------------------

def open_choices_column():
    """SQL: how many active categories the outer query's Pupil has no choice for yet."""
    chosen = fn.EXISTS(Consent.select(SQL("1")).where(
        (Consent.category == ConsentCategory.id) & (Consent.pupil == Pupil.id)))
    return (ConsentCategory.select(fn.COUNT(ConsentCategory.id))
            .where((ConsentCategory.active == True) & ~chosen))  # noqa: E712


def open_choice_counts(pupil_ids):
    """{pupil id: how many active categories have no choice yet}, in one statement."""
    if not pupil_ids:
        return {}
    return dict(Pupil.select(Pupil.id, open_choices_column())
                .where(Pupil.id.in_(list(pupil_ids))).tuples())


def choices_of(pupil_ids):
    """{(pupil id, category id): granted} for these pupils; a missing pair was never chosen."""
    rows = Consent.select(Consent.pupil, Consent.category, Consent.granted).where(
        Consent.pupil.in_(pupil_ids))
    return {(row.pupil_id, row.category_id): row.granted for row in rows}


def set_choice(pupil, category, granted, by, now=None):
    """Store a parent's choice; returns the ConsentChange, or None when nothing changed."""
    now = now or utcnow()
    with write_transaction():
        _lock(pupil)
        old = (Consent.select(Consent.granted)
               .where((Consent.pupil == pupil.id) & (Consent.category == category.id)).scalar())
        if old is not None:
            old = bool(old)
        if old == granted:
            return None
        Consent.insert(pupil=pupil.id, category=category.id, granted=granted, updated_by=by,
                       updated_at=now).on_conflict(
            conflict_target=[Consent.pupil, Consent.category],
            preserve=[Consent.granted, Consent.updated_by, Consent.updated_at]).execute()
        change = ConsentChange.create(pupil=pupil.id, category=category.id, old_value=old,
                                      new_value=granted, changed_by=by, changed_at=now)
        audit.record("consent_change", "pupil", pupil.id, actor=by, category=category.key,
                     old=old, new=granted)
        _tell_teachers(pupil, category, change, by)
        return change


def _lock(pupil):
    """Serialise choices about one pupil (SQLite's BEGIN IMMEDIATE does this already)."""
    if not is_sqlite():
        list(Pupil.select(Pupil.id).where(Pupil.id == pupil.id).for_update())


# --- notices ---------------------------------------------------------------------------

def teachers_of(pupil):
    """The active, activated staff of the pupil's group (each chooses how to hear)."""
    staff = GroupStaff.select(GroupStaff.staff).where(GroupStaff.group == pupil.group_id)
    return list(User.select().where(
        User.id.in_(staff) & (User.active == True) & User.password_hash.is_null(False)  # noqa: E712
    ).order_by(User.id))


def _tell_teachers(pupil, category, change, by):
    """Mail the child's teachers about the change, inside the caller's transaction."""
    pupil = Pupil.select(Pupil, Group).join(Group).where(Pupil.id == pupil.id).get()
    subject = _l("Photo consent changed: %(child)s", child=pupil.full_name)
    link = outbox.absolute_url("consent.overview", group_id=pupil.group_id)
    school = School.current()
    told = notifications.notify(
        teachers_of(pupil), "consent",
        title=_l("Photo consent changed in %(group)s", group=pupil.group.name),
        url=notifications.link("consent.overview", group_id=pupil.group_id))
    outbox.send_many(told["mail"], "consent/changed", subject, school=school,
                     pupil=pupil, category=category, change=change, by=by, link=link,
                     may_hold_back=category.space is not None and not change.new_value)


# --- history and lists -----------------------------------------------------------------

def history(pupil_ids, since=None, limit=None):
    """Changes of these pupils, newest first, with pupil, group, category and who (one query)."""
    changer = User.alias()
    query = (ConsentChange.select(ConsentChange, Pupil, Group, ConsentCategory, changer)
             .join(Pupil, on=(ConsentChange.pupil == Pupil.id))
             .join(Group, on=(Pupil.group == Group.id))
             .switch(ConsentChange).join(ConsentCategory)
             .switch(ConsentChange)
             .join(changer, JOIN.LEFT_OUTER, on=(ConsentChange.changed_by == changer.id),
                   attr="changed_by")
             .where(ConsentChange.pupil.in_(pupil_ids))
             .order_by(ConsentChange.changed_at.desc(), ConsentChange.id.desc()))
    if since is not None:
        query = query.where(ConsentChange.changed_at >= since)
    return query.limit(limit) if limit else query


def recent_changes(pupil_ids, limit=10, now=None):
    """The changes of the last RECENT_DAYS days (for the teachers' home panel)."""
    return history(pupil_ids, since=(now or utcnow()) - timedelta(days=RECENT_DAYS), limit=limit)


def withdrawn_photos(photos, pupil_ids):
    """Of a photo query (Photo joined to Album), those held back for a child's "no".

    That is: a child of `pupil_ids` is tagged in it whose choice for the album's space is
    an explicit no (withdrawn or refused), so parents no longer see it.
    """
    tag = PhotoTag.alias()
    space = Case(None, [(Album.group.is_null(), "school")], "group")
    refused = (Consent.select(SQL("1")).join(ConsentCategory)
               .where((Consent.pupil == tag.pupil) & (Consent.granted == False)  # noqa: E712
                      & (ConsentCategory.active == True) & (ConsentCategory.space == space)))  # noqa: E712
    tagged = tag.select(SQL("1")).where(
        (tag.photo == Photo.id) & tag.pupil.in_(pupil_ids) & fn.EXISTS(refused))
    return photos.where(fn.EXISTS(tagged)).order_by(Photo.created_at.desc(), Photo.id.desc())


def held_back_photos(photos, pupil_ids):
    """Of a photo query (Photo joined to Album), every one parents do not see because of a
    child of `pupil_ids`: the same rule as the albums (a "no" or no choice at all)."""
    tag = PhotoTag.alias()
    tagged = tag.select(SQL("1")).where((tag.photo == Photo.id) & tag.pupil.in_(pupil_ids))
    return (photos.where(albums_policy.photo_held_back() & fn.EXISTS(tagged))
            .order_by(Photo.created_at.desc(), Photo.id.desc()))


# --- category administration -----------------------------------------------------------

def save_category(category, **values):
    """Create (category None) or change a category; the key stays unique (the database says)."""
    try:
        with write_transaction():
            if category is None:
                return ConsentCategory.create(position=next_position(), **values)
            ConsentCategory.update(**values).where(ConsentCategory.id == category.id).execute()
            return ConsentCategory.get_by_id(category.id)
    except IntegrityError:
        raise ConsentError(_l("Another category already has this key.")) from None
