"""The school's structure: school, groups, pupils, people and who belongs where.

Timestamps are naive UTC (see `utcnow`); templates show them in Europe/Amsterdam.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import peewee as pw

from .base import ROLE_ADMIN, ROLE_PARENT, ROLE_STAFF, ROLES, BaseModel, normalize_email, utcnow


class School(BaseModel):
    """The one school this installation serves, and its settings."""

    name = pw.CharField(max_length=200)
    time_zone = pw.CharField(max_length=64, default="Europe/Amsterdam")
    created_at = pw.DateTimeField(default=utcnow)

    @classmethod
    def current(cls):
        """The school of this installation, or None before the first setup."""
        return cls.select().order_by(cls.id).first()


class Group(BaseModel):
    """A class ("Groep 5") in one school year; each group is a space in the portal."""

    name = pw.CharField(max_length=100)
    school_year = pw.CharField(max_length=9)  # "2026-2027"
    sort_order = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)
    archived_at = pw.DateTimeField(null=True)  # read-only after the year rolled over (rollover.py)

    class Meta:
        table_name = "school_group"  # "group" is a reserved word in SQL
        indexes = ((("name", "school_year"), True),)

    @classmethod
    def ordered(cls):
        """Groups in the order the school lists them."""
        return cls.select().order_by(cls.sort_order, cls.name)


class Pupil(BaseModel):
    """A child at the school (leerling)."""

    first_name = pw.CharField(max_length=100)
    last_name = pw.CharField(max_length=100)
    birth_date = pw.DateField()
    group = pw.ForeignKeyField(Group, backref="pupils", on_delete="RESTRICT")
    pupil_number = pw.CharField(max_length=32, null=True, unique=True)  # leerlingnummer
    left_on = pw.DateField(null=True)  # the day the pupil left school; null while at school
    created_at = pw.DateTimeField(default=utcnow)

    @classmethod
    def count_by_group(cls, groups):
        """The number of pupils per group id, in one query."""
        counts = {g.id: 0 for g in groups}
        rows = (
            cls.select(cls.group, pw.fn.COUNT(cls.id).alias("n"))
            .where(cls.group.in_(list(counts)) & cls.at_school())
            .group_by(cls.group)
            .tuples()
        )
        counts.update(dict(rows))
        return counts

    @classmethod
    def at_school(cls, day=None):
        """A filter for pupils still at school on the day (default: today in the Netherlands)."""
        day = day or datetime.now(ZoneInfo("Europe/Amsterdam")).date()
        return cls.left_on.is_null() | (cls.left_on > day)

    @classmethod
    def matches(cls, text):
        """A filter for pupils whose first or last name contains the text."""
        text = text.lower()
        return pw.fn.LOWER(cls.first_name).contains(text) | pw.fn.LOWER(
            cls.last_name
        ).contains(text)

    @property
    def full_name(self):
        """First and last name as the school writes them."""
        return f"{self.first_name} {self.last_name}"


class User(BaseModel):
    """Anyone who can log in: a parent or guardian, a member of staff, an admin."""

    email = pw.CharField(max_length=254, unique=True)  # stored normalised (lower case)
    display_name = pw.CharField(max_length=100)
    role = pw.CharField(max_length=10, constraints=[pw.Check("role IN ('admin','staff','parent')")])
    password_hash = pw.CharField(max_length=255, null=True)  # null until activated
    active = pw.BooleanField(default=True)
    language = pw.CharField(max_length=5, default="nl")
    # How mail tells about new messages: at once, in a daily digest, or not at all.
    mail_notifications = pw.CharField(
        max_length=12, default="immediately",
        constraints=[pw.Check("mail_notifications IN ('immediately','daily','never')")],
    )
    photo = pw.CharField(max_length=64, null=True)  # file name under MEDIA_ROOT/profiles
    created_at = pw.DateTimeField(default=utcnow)
    last_login_at = pw.DateTimeField(null=True)
    erased_at = pw.DateTimeField(null=True)  # anonymised after a family's erasure (erasure.py)

    class Meta:
        table_name = "account"  # "user" is a reserved word in PostgreSQL

    # Flask-Login: the id in the session is the server-side session key (see sessions.py).
    session_key = None
    is_anonymous = False

    @property
    def is_authenticated(self):
        """Flask-Login: a loaded user is logged in."""
        return True

    @property
    def is_active(self):
        """Flask-Login: deactivated accounts cannot log in."""
        return self.active

    def get_id(self):
        """Flask-Login: the session key, so logout and expiry act on the server."""
        return self.session_key

    def save(self, *args, **kwargs):
        """Store the email normalised, so two spellings cannot both exist."""
        self.email = normalize_email(self.email)
        return super().save(*args, **kwargs)

    @property
    def is_admin(self):
        """True for the school office and director."""
        return self.role == ROLE_ADMIN

    @property
    def is_staff(self):
        """True for teachers and other staff (not admins)."""
        return self.role == ROLE_STAFF

    @property
    def is_parent(self):
        """True for parents and guardians."""
        return self.role == ROLE_PARENT

    @classmethod
    def count_by_role(cls):
        """The number of active accounts per role, in one query."""
        counts = dict.fromkeys(ROLES, 0)
        rows = (
            cls.select(cls.role, pw.fn.COUNT(cls.id))
            .where(cls.active == True)  # noqa: E712
            .group_by(cls.role)
            .tuples()
        )
        counts.update(dict(rows))
        return counts

    @classmethod
    def by_email(cls, email):
        """The account with this address, whatever its capitals, or None."""
        return cls.get_or_none(cls.email == normalize_email(email))


class Guardianship(BaseModel):
    """A parent or guardian of a pupil; a pupil can have several, a parent several children."""

    guardian = pw.ForeignKeyField(User, backref="guardianships", on_delete="CASCADE")
    pupil = pw.ForeignKeyField(Pupil, backref="guardianships", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("guardian", "pupil"), True),)


class GroupStaff(BaseModel):
    """A teacher (or other staff member) who works with a group."""

    staff = pw.ForeignKeyField(User, backref="group_roles", on_delete="CASCADE")
    group = pw.ForeignKeyField(Group, backref="staff_roles", on_delete="CASCADE")

    class Meta:
        indexes = ((("staff", "group"), True),)

    @classmethod
    def staff_by_group(cls, groups):
        """The active staff of each given group, keyed by group id, in one query."""
        by_group = {g.id: [] for g in groups}
        rows = (
            cls.select(cls, User)
            .join(User)
            .where(cls.group.in_(list(by_group)) & (User.active == True))  # noqa: E712
            .order_by(User.display_name)
        )
        for row in rows:
            by_group[row.group_id].append(row.staff)
        return by_group
