"""Access requests: people asking for an account, and how staff answer them."""

import peewee as pw

from schoolportal.core.models import BaseModel, Pupil, User, utcnow

REQUEST_PENDING = "pending"
REQUEST_APPROVED = "approved"
REQUEST_REJECTED = "rejected"
RELATIONS = ("parent", "carer", "guardian")  # ouder, verzorger, voogd


class AccessRequest(BaseModel):
    """Someone with parental authority asks for an account for a child (toegang aanvragen)."""

    child_first_name = pw.CharField(max_length=100)
    child_last_name = pw.CharField(max_length=100)
    child_birth_date = pw.DateField()
    child_group = pw.CharField(max_length=50, default="")  # as the requester wrote it
    requester_name = pw.CharField(max_length=100)
    email = pw.CharField(max_length=254)  # stored normalised (lower case)
    relation = pw.CharField(
        max_length=10, constraints=[pw.Check("relation IN ('parent','carer','guardian')")],
    )
    declared_authority = pw.BooleanField(default=False)  # ticked "I have parental authority"
    note = pw.TextField(default="")
    language = pw.CharField(max_length=5, default="nl")  # of the page, for the answer by mail
    ip = pw.CharField(max_length=45)
    status = pw.CharField(
        max_length=10, default=REQUEST_PENDING,
        constraints=[pw.Check("status IN ('pending','approved','rejected')")],
    )
    pupil = pw.ForeignKeyField(Pupil, null=True, backref="access_requests", on_delete="SET NULL")
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    reason = pw.TextField(null=True)  # why it was rejected, as mailed to the requester
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "access_request"
        indexes = (
            (("status", "created_at"), False),  # the queue
            (("ip", "created_at"), False),  # throttling per network address
            (("email", "created_at"), False),  # throttling per email address
        )

    @classmethod
    def pending(cls):
        """Requests waiting for a decision, oldest first."""
        return cls.select().where(cls.status == REQUEST_PENDING).order_by(cls.created_at, cls.id)

    @property
    def child_name(self):
        """The child's name as the requester wrote it."""
        return f"{self.child_first_name} {self.child_last_name}"

    @property
    def is_pending(self):
        """True while nobody has decided on the request."""
        return self.status == REQUEST_PENDING
