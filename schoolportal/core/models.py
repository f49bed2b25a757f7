"""What every model shares: the database binding, roles, UTC timestamps."""


import weakref

import peewee as pw

from schoolportal.core import clock
from schoolportal.core.extensions import db
from schoolportal.core.prepared import prepared

ROLE_ADMIN = "admin"
ROLE_STAFF = "staff"
ROLE_PARENT = "parent"
ROLES = (ROLE_ADMIN, ROLE_STAFF, ROLE_PARENT)


def utcnow():
    """The current time as naive UTC, the way every timestamp is stored."""
    return clock.utc_now().replace(tzinfo=None)


def normalize_email(email):
    """One spelling per address, so uniqueness holds case-insensitively."""
    return (email or "").strip().lower()


def school_year_of(day):
    """The school year ("2026-2027") a day falls in; a year starts in August."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


class BaseModel(pw.Model):
    """Binds every model to the one database."""

    class Meta:
        database = db
        legacy_table_names = False


class School(BaseModel):
    """The one school this installation serves, and its settings."""

    name = pw.CharField(max_length=200)
    time_zone = pw.CharField(max_length=64, default="Europe/Amsterdam")
    created_at = pw.DateTimeField(default=utcnow)

    @classmethod
    def current(cls):
        """The school of this installation, or None before the first setup.

        Read once per process and database: every page shows the school's name, and the
        name and time zone are set when the portal is set up (`seed-demo`, the first
        import) and never change while it runs; no page edits them. (`restore` runs in a
        process of its own; the web server is restarted after it.)
        """
        database = db.obj
        school = _SCHOOLS.get(database)
        if school is None:
            school = cls.select().order_by(cls.id).first()
            if school is not None:
                _SCHOOLS[database] = school
        return school


_SCHOOLS = weakref.WeakKeyDictionary()  # database -> its School (see School.current)


class Group(BaseModel):
    """A class ("Groep 5") in one school year; each group is a space in the portal."""

    name = pw.CharField(max_length=100)
    school_year = pw.CharField(max_length=9)  # "2026-2027"
    sort_order = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)
    archived_at = pw.DateTimeField(null=True)  # read-only after the rollover (rollover/service.py)

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
        day = clock.school_today() if day is None else day
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
    erased_at = pw.DateTimeField(null=True)  # anonymised by erasure (family_data/erasure.py)

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
        for row in _active_staff_of(list(by_group)):
            by_group[row.group_id].append(row.staff)
        return by_group

    @classmethod
    def staff_rows(cls, group_ids):
        """The query behind staff_by_group: rows with `.staff`, by name."""
        return (cls.select(cls, User).join(User)
                .where(cls.group.in_(group_ids) & (User.active == True))  # noqa: E712
                .order_by(User.display_name))


@prepared
def _active_staff_of(group_ids):
    """`GroupStaff.staff_rows`, its text built once (a parent's pages ask for it)."""
    return GroupStaff.staff_rows(group_ids)


class AuthSession(BaseModel):
    """A logged-in session, kept on the server so logout and expiry really end it."""

    key_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    user_agent = pw.CharField(max_length=200, default="")


class LoginAttempt(BaseModel):
    """A failed login, counted per address typed and per network address for throttling."""

    email = pw.CharField(max_length=254, index=True)
    ip = pw.CharField(max_length=45, index=True)
    created_at = pw.DateTimeField(default=utcnow, index=True)

MAIL_PENDING = "pending"
MAIL_SENT = "sent"
MAIL_DEAD = "dead"


class OutboxMail(BaseModel):
    """One mail, written in the same transaction as the action that causes it."""

    to_email = pw.CharField(max_length=254)
    template = pw.CharField(max_length=64)
    language = pw.CharField(max_length=5)
    subject = pw.CharField(max_length=255)
    body_text = pw.TextField()
    body_html = pw.TextField()
    context = pw.TextField(null=True)  # JSON to render it from in the worker; null: rendered
    status = pw.CharField(
        max_length=8, default=MAIL_PENDING,
        constraints=[pw.Check("status IN ('pending','sent','dead')")],
    )
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    claimed_until = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "outbox_mail"
        indexes = ((("status", "next_attempt_at"), False),)

    @classmethod
    def due(cls, now):
        """Pending mails whose turn has come and that no worker holds."""
        return cls.select().where(
            (cls.status == MAIL_PENDING)
            & (cls.next_attempt_at <= now)
            & (cls.claimed_until.is_null() | (cls.claimed_until < now))
        ).order_by(cls.id)


class JobRun(BaseModel):
    """A daily job that has run on a day; the unique key lets only one worker run it."""

    name = pw.CharField(max_length=64)
    day = pw.DateField()
    started_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "job_run"
        indexes = ((("name", "day"), True),)


class Heartbeat(BaseModel):
    """When a background task (the worker's round, a backup) last finished well."""

    name = pw.CharField(max_length=32, unique=True)  # "worker", "backup"
    last_success_at = pw.DateTimeField()
    detail = pw.CharField(max_length=200, default="")  # e.g. the backup's folder name

    class Meta:
        table_name = "heartbeat"

    @classmethod
    def beat(cls, name, detail=""):
        """Record that `name` just finished well (one upsert, no read first)."""
        now = utcnow()
        cls.insert(name=name, last_success_at=now, detail=detail).on_conflict(
            conflict_target=[cls.name],
            update={cls.last_success_at: now, cls.detail: detail}).execute()

    @classmethod
    def last(cls, name):
        """When `name` last finished well, or None."""
        row = cls.get_or_none(cls.name == name)
        return row.last_success_at if row else None


class AuditEntry(BaseModel):
    """One action on sensitive data."""

    at = pw.DateTimeField(default=utcnow, index=True)
    actor = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    actor_role = pw.CharField(max_length=10, default="")
    action = pw.CharField(max_length=40, index=True)
    subject_type = pw.CharField(max_length=40, default="")
    subject_id = pw.IntegerField(null=True)
    details = pw.TextField(default="{}")  # JSON: ids and codes only

    class Meta:
        table_name = "audit_entry"
        indexes = ((("subject_type", "subject_id"), False),)

    def save(self, *args, **kwargs):
        """Add an entry; an existing entry is never saved again."""
        if self.id is not None:
            raise PermissionError("audit entries cannot be changed")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        """Entries are removed only by the retention purge (audit.purge_before)."""
        raise PermissionError("audit entries cannot be deleted one by one")


class KnownDevice(BaseModel):
    """A browser someone logged in from before (a long-lived random cookie, stored hashed)."""

    user = pw.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    first_seen_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "known_device"


def all_models():
    """Every table-backed model imported so far, parents before children (definition order).

    After `create_app` that is every table: each area's models are imported with its pages.
    """
    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop(0)
        found.append(model)
        todo.extend(model.__subclasses__())
    return found
