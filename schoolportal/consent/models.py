"""AVG photo consent: the school's categories, each child's current choice, every change.

No row for a child and category means no consent (consent is given, never assumed).
"""

import peewee as pw

from schoolportal.core.models import BaseModel, Pupil, User, utcnow

# The portal space a category governs: photos in a group album need 'group', photos in a
# school-wide album need 'school'; other categories (website, press, ...) govern use
# outside the portal, which staff read from the overview.
SPACES = ("group", "school")


class ConsentCategory(BaseModel):
    """A use of photos the school asks consent for ("schoolwebsite", "pers", ...)."""

    key = pw.CharField(max_length=40, unique=True)
    name = pw.CharField(max_length=100)
    description = pw.TextField(default="")
    space = pw.CharField(max_length=10, null=True,
                         constraints=[pw.Check("space IS NULL OR space IN ('group','school')")])
    position = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "consent_category"


class Consent(BaseModel):
    """A child's current choice for one category."""

    pupil = pw.ForeignKeyField(Pupil, backref="consents", on_delete="CASCADE", index=False)
    category = pw.ForeignKeyField(ConsentCategory, backref="consents", on_delete="CASCADE")
    granted = pw.BooleanField(default=False)
    updated_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "consent"
        indexes = ((("pupil", "category"), True),)


class ConsentChange(BaseModel):
    """One change of a child's consent: who, when, old -> new (kept; never edited)."""

    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE", index=False)
    category = pw.ForeignKeyField(ConsentCategory, backref="+", on_delete="CASCADE")
    old_value = pw.BooleanField(null=True)  # null: never chosen before
    new_value = pw.BooleanField()
    changed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "consent_change"
        indexes = ((("pupil", "changed_at"), False),)
