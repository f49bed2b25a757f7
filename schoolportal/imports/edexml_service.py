"""Keeping groups, pupils and teachers in step with the school's administration (EDEXML).

`preview` reads a file and works out what it would change, writing nothing; `confirm` (the
office's page) and `apply_file` (the command line) apply exactly that in one transaction,
and refuse, changing nothing, when the file or the database no longer gives the plan that
was shown. Nothing is ever removed: a pupil the export leaves out is only proposed as
leaving; the office records leaving on the pupil's page.
"""

import json
import secrets
from datetime import timedelta

from peewee import IntegrityError, chunked

from schoolportal.admin import service as admin_service
from schoolportal.admin.models import MOVED_BY_IMPORT
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, GroupStaff, Pupil, User, utcnow
from schoolportal.imports import edexml
from schoolportal.imports.edexml_plan import EdexPlan, plan_for
from schoolportal.imports.models import EdexmlImport, GroupKey, PupilKey, TeacherKey
from schoolportal.imports.plan import BATCH, where_in
from schoolportal.imports.service import PREVIEW_HOURS, PreviewChanged, clean_file_name
from schoolportal.invitations import service as invitations_service


class ImportConflict(Exception):
    """The database refused a write (someone changed the same rows); nothing was imported."""


def preview(data, today, file_name=""):
    """The plan for a file's bytes; a file that cannot be read gives a plan with file_errors."""
    try:
        export = edexml.read(data, today, file_name)
    except edexml.EdexmlFileError as error:
        return EdexPlan(today, file_errors=[error.args[0]])
    return plan_for(export, today)


def keep_preview(plan, file_name, admin):
    """Keep a file that may be applied until the office confirms it; returns its record."""
    with write_transaction():
        EdexmlImport.delete().where(
            EdexmlImport.applied_at.is_null()
            & (EdexmlImport.created_at < utcnow() - timedelta(hours=PREVIEW_HOURS))
        ).execute()
        return EdexmlImport.create(
            key=secrets.token_urlsafe(32), uploaded_by=admin, content=plan.export.to_json(),
            file_name=clean_file_name(file_name or "EDEX.XML"), plan_digest=plan.digest(),
            brincode=plan.export.brincode, school_year=plan.year)


def confirm(kept, admin, today):
    """Apply a kept preview as shown; the plan, or None when it was applied already.

    Raises PreviewChanged (changing nothing) when the database moved since the preview, and
    ImportConflict when a write was refused.
    """
    try:
        with write_transaction():
            claimed = EdexmlImport.update(applied_at=utcnow()).where(
                (EdexmlImport.id == kept.id) & EdexmlImport.applied_at.is_null()).execute()
            if claimed != 1:
                return None  # a second click, or the back button
            plan = plan_for(edexml.Export.from_json(kept.content), today)
            if not plan.ok or plan.digest() != kept.plan_digest:
                raise PreviewChanged(plan)  # leaving the block undoes the claim
            _apply(plan, admin, kept)
            return plan
    except PreviewChanged as changed:
        if changed.plan.ok:  # the fresh preview may be confirmed in its turn
            EdexmlImport.update(plan_digest=changed.plan.digest()).where(
                EdexmlImport.id == kept.id).execute()
        raise
    except IntegrityError as error:
        raise ImportConflict() from error


def apply_file(data, today, file_name, fingerprint=None):
    """Read, plan and apply a file in one transaction (the command line); returns the plan.

    With a fingerprint from an earlier preview, a plan that differs is refused
    (PreviewChanged) and nothing changes. A plan with errors is returned unapplied.
    """
    try:
        with write_transaction():
            plan = preview(data, today, file_name)
            if plan.ok and fingerprint and not plan.digest().startswith(fingerprint):
                raise PreviewChanged(plan)
            if plan.ok and plan.has_changes:
                record = EdexmlImport.create(
                    key=secrets.token_urlsafe(32), uploaded_by=None, content="",
                    file_name=clean_file_name(file_name), plan_digest=plan.digest(),
                    brincode=plan.export.brincode, school_year=plan.year, applied_at=utcnow())
                _apply(plan, None, record)
            return plan
    except IntegrityError as error:
        raise ImportConflict() from error


def fingerprint(plan):
    """The short form of a plan's digest that the command line prints and accepts."""
    return plan.digest()[:16]


def _apply(plan, admin, record):
    """Write the plan (inside the caller's transaction) and keep the keys the file listed."""
    group_ids = _apply_groups(plan)
    _apply_pupils(plan, group_ids, admin)
    _apply_teachers(plan, group_ids, admin)
    EdexmlImport.update(content=json.dumps({"pupil_keys": [p.key for p in plan.export.pupils]}),
                        applied_at=utcnow()).where(EdexmlImport.id == record.id).execute()


def _insert(model, rows):
    """Insert rows in batches; a row that conflicts with a unique key refuses the import."""
    for batch in chunked(rows, BATCH):
        model.insert_many(batch).execute()


def _apply_groups(plan):
    """Create and rename groups, keep their keys; returns file group key -> group id."""
    _insert(Group, [{"name": g.name, "school_year": plan.year, "sort_order": g.year_group or 0}
                    for g in plan.new_groups])
    for group, line in plan.renamed_groups:
        Group.update(name=line.name).where(Group.id == group.id).execute()
    created = {group.name: group.id for group in Group.select().where(
        (Group.school_year == plan.year)
        & Group.name.in_([g.name for g in plan.new_groups] or [""]))}
    group_ids = {key: group.id for key, group in plan.groups.items()}
    group_ids.update({g.key: created[g.name] for g in plan.new_groups})
    _insert(GroupKey, [{"group": group_ids[g.key], "school_year": plan.year, "key": g.key}
                       for g in plan.new_groups] + [
        {"group": group.id, "school_year": plan.year, "key": g.key}
        for group, g in plan.keyed_groups])
    return group_ids


def _apply_pupils(plan, group_ids, admin):
    """Add, rename and move pupils (moves go into their group history), keep their keys."""
    keys = []
    for line, number in plan.new_pupils:  # one INSERT each: the new id is needed for the key
        pupil_id = Pupil.insert(first_name=line.first_name, last_name=line.last_name,
                                birth_date=line.birth_date, group=group_ids[line.group_key],
                                pupil_number=number).execute()
        keys.append({"pupil": pupil_id, "key": line.key, "starts_on": line.starts_on})
    keys += [{"pupil": pupil.id, "key": line.key, "starts_on": line.starts_on}
             for line, pupil in plan.keyed_pupils]
    _insert(PupilKey, keys)
    for line, pupil in plan.start_dates:
        PupilKey.update(starts_on=line.starts_on).where(PupilKey.pupil == pupil.id).execute()
    pupils, moves = [], []
    for update in plan.updated:
        pupil, line = update.pupil, update.line
        if update.moves:
            moves.append((pupil.id, pupil.group_id, group_ids[line.group_key]))
        pupil.first_name, pupil.last_name = line.first_name, line.last_name
        pupil.birth_date, pupil.group = line.birth_date, group_ids[line.group_key]
        pupils.append(pupil)
    if pupils:
        Pupil.bulk_update(pupils, fields=[Pupil.first_name, Pupil.last_name, Pupil.birth_date,
                                          Pupil.group], batch_size=BATCH)
    admin_service.record_moves(moves, admin, MOVED_BY_IMPORT)


def _apply_teachers(plan, group_ids, admin):
    """Link teachers to their groups; a teacher without an account is invited."""
    links, keys = [], []
    for line in plan.teachers:
        groups = [group_ids[key] for key in line.group_keys]
        if line.user is None:
            invitations_service.invite_staff(line.teacher.email, line.teacher.name,
                                             invited_by=admin, groups=groups)
            keys.append((line.teacher.email, line.teacher.key))
            continue
        links += [{"staff": line.user.id, "group": group_id} for group_id in groups]
        if line.keep_key:
            keys.append((line.user.email, line.teacher.key))
    if links:
        GroupStaff.insert_many(links).on_conflict_ignore().execute()
    users = {u.email: u.id for u in where_in(User.select(User.id, User.email), User.email,
                                             {email for email, _key in keys})}
    _insert(TeacherKey, [{"user": users[email], "key": key} for email, key in keys])


def not_in_latest_export(today):
    """Pupils at school whom the latest applied export did not list: proposed as leaving."""
    latest = EdexmlImport.latest_applied()
    if latest is None or not latest.content:
        return None, []
    listed = set(json.loads(latest.content).get("pupil_keys", []))
    keys = dict(PupilKey.select(PupilKey.pupil, PupilKey.key).tuples())
    pupils = (Pupil.select(Pupil, Group).join(Group).where(Pupil.at_school(today))
              .order_by(Group.sort_order, Group.name, Pupil.last_name, Pupil.first_name))
    return latest, [pupil for pupil in pupils if keys.get(pupil.id) not in listed]
