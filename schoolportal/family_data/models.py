"""Family erasure: a request to remove a family, carried out after the retention period.

The accounts are deactivated when the erasure is scheduled; `flask purge` carries it out
on `due_on` (see erasure.py). The row keeps ids only (never names), so it says what was
done without holding the personal data it removed.
"""

import json

import peewee as pw

from schoolportal.core.models import BaseModel, User, utcnow

REASON_REQUEST = "request"
REASON_LEFT = "left_school"
REASONS = (REASON_REQUEST, REASON_LEFT)
SCHEDULED, CANCELLED, DONE = "scheduled", "cancelled", "done"


class Erasure(BaseModel):
    """One family's erasure: scheduled, then done (or cancelled before it was due)."""

    account = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The account id while scheduled, else null: one open erasure per account (the
    # database refuses a second one; nulls never clash in a unique index).
    open_account = pw.IntegerField(null=True, unique=True)
    reason = pw.CharField(max_length=12, constraints=[
        pw.Check("reason IN ('request','left_school')")])
    status = pw.CharField(max_length=10, default=SCHEDULED, constraints=[
        pw.Check("status IN ('scheduled','cancelled','done')")])
    account_ids = pw.TextField(default="[]")  # JSON: the guardians to anonymise
    pupil_ids = pw.TextField(default="[]")  # JSON: the children to delete
    reactivate_ids = pw.TextField(default="[]")  # JSON: accounts active before (for cancel)
    due_on = pw.DateField(index=True)
    requested_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    cancelled_at = pw.DateTimeField(null=True)
    done_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "erasure"

    @property
    def accounts(self):
        """The guardians' account ids."""
        return json.loads(self.account_ids)

    @property
    def pupils(self):
        """The children's ids."""
        return json.loads(self.pupil_ids)

    @property
    def is_scheduled(self):
        """True while it waits for its day (and can be cancelled)."""
        return self.status == SCHEDULED
