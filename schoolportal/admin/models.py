"""Administration: the history of pupils' groups."""

import peewee as pw

from schoolportal.core.models import BaseModel, Group, Pupil, User, utcnow

MOVED_BY_OFFICE = "office"  # on the pupil's page
MOVED_BY_IMPORT = "import"  # by an import from the administration


class PupilMove(BaseModel):
    """A pupil moved from one group to another, by whom and how: the pupil's group history."""

    pupil = pw.ForeignKeyField(Pupil, backref="+", on_delete="CASCADE")
    from_group = pw.ForeignKeyField(Group, null=True, backref="+", on_delete="SET NULL")
    to_group = pw.ForeignKeyField(Group, null=True, backref="+", on_delete="SET NULL")
    moved_at = pw.DateTimeField(default=utcnow)
    moved_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    via = pw.CharField(max_length=10, default=MOVED_BY_OFFICE,
                       constraints=[pw.Check("via IN ('office','import')")])

    class Meta:
        table_name = "pupil_move"
        indexes = ((("pupil", "moved_at"), False),)

    @classmethod
    def history_of(cls, pupil):
        """The pupil's moves, newest first, with both groups (one query)."""
        old, new = Group.alias(), Group.alias()
        return (cls.select(cls, old, new, User)
                .join(old, pw.JOIN.LEFT_OUTER, on=(cls.from_group == old.id)).switch(cls)
                .join(new, pw.JOIN.LEFT_OUTER, on=(cls.to_group == new.id)).switch(cls)
                .join(User, pw.JOIN.LEFT_OUTER, on=(cls.moved_by == User.id))
                .where(cls.pupil == pupil.id).order_by(cls.moved_at.desc(), cls.id.desc()))
