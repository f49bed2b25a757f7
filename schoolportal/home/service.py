"""What the home pages show beyond the areas' own cards."""

from schoolportal.core.models import Group, Pupil, User


def school_totals():
    """How many groups, pupils and active accounts per role the school has."""
    roles = User.count_by_role()
    pupils = Pupil.select().where(Pupil.at_school()).count()
    return {"groups": Group.select().count(), "pupils": pupils, **roles}
