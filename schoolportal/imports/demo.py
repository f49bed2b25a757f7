"""The demo school and its administration: last week's EDEXML import left one pupil out."""

import json
from datetime import datetime, time, timedelta

from schoolportal.admin.demo import DIRECTOR, GROUPS
from schoolportal.admin.models import MOVED_BY_IMPORT, PupilMove
from schoolportal.core.models import Group, GroupStaff, Pupil, User, school_year_of
from schoolportal.imports.models import EdexmlImport, GroupKey, PupilKey, TeacherKey

BRINCODE = "12AB00"  # docs/voorbeeld-edex.xml is of the same (made-up) school
NOT_IN_EXPORT = "RB-2055"  # a Groep 8 pupil the administration no longer lists: moved away?
MOVED = ("RB-2030", "Groep 5")  # moved from Groep 1/2A to Groep 5 by that import


def seed(today):
    """Keys for groups, pupils and teachers as last week's import left them."""
    if EdexmlImport.select().where(EdexmlImport.key == "demo-edexml").exists():
        return
    year = school_year_of(today)
    groups = {g.name: g for g in Group.select().where(Group.school_year == year)}
    GroupKey.insert_many([
        {"group": groups[name].id, "school_year": year, "key": f"ST-{order}"}
        for name, order, _ages, _teacher in GROUPS]).on_conflict_ignore().execute()
    pupils = list(Pupil.select().where(Pupil.pupil_number.is_null(False) & Pupil.at_school(today)))
    PupilKey.insert_many([{"pupil": p.id, "key": p.pupil_number} for p in pupils]
                         ).on_conflict_ignore().execute()
    teachers = User.select().join(GroupStaff, on=(GroupStaff.staff == User.id)).distinct()
    TeacherKey.insert_many([{"user": u.id, "key": f"LK-{u.id}"} for u in teachers]
                           ).on_conflict_ignore().execute()
    applied = datetime.combine(today - timedelta(days=7), time(9, 30))
    EdexmlImport.create(
        key="demo-edexml", uploaded_by=User.get(User.email == DIRECTOR), file_name="EDEX.XML",
        plan_digest="demo", brincode=BRINCODE, school_year=year, created_at=applied,
        applied_at=applied, content=json.dumps({"pupil_keys": [
            p.pupil_number for p in pupils if p.pupil_number != NOT_IN_EXPORT]}))
    moved = next((p for p in pupils if p.pupil_number == MOVED[0]), None)
    if moved is not None and moved.group_id == groups[MOVED[1]].id:
        PupilMove.create(pupil=moved, from_group=groups["Groep 1/2A"], to_group=moved.group_id,
                         moved_at=applied, via=MOVED_BY_IMPORT)
