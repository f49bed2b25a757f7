"""`flask --app schoolportal import-edexml FILE [--apply]`: the EDEXML import from a shell."""

from pathlib import Path

import click
from flask_babel import gettext as _

from schoolportal.core import worker
from schoolportal.core.extensions import db
from schoolportal.imports import edexml, edexml_service
from schoolportal.imports.service import PreviewChanged
from schoolportal.views.imports import bp


@bp.cli.command("import-edexml")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", "apply_it", is_flag=True,
              help="Apply the import (without it: only show what it would change).")
@click.option("--fingerprint", default="",
              help="Apply only if the plan still has this fingerprint from the preview.")
def import_edexml(path, apply_it, fingerprint):
    """Bring groups, pupils and teachers in step with an EDEXML export."""
    file = Path(path)
    today = worker.school_today()
    with db.connection_context():
        if file.stat().st_size > edexml.MAX_BYTES:
            _fail(str(edexml.TOO_LARGE))
        data = file.read_bytes()
        try:
            plan = (edexml_service.apply_file(data, today, file.name, fingerprint.strip())
                    if apply_it else edexml_service.preview(data, today, file.name))
        except PreviewChanged as changed:
            _show(changed.plan, file.name)
            _fail(_("The file or the portal changed since the preview with this fingerprint; "
                    "nothing was imported. Check the plan above and apply again."))
        except edexml_service.ImportConflict:
            _fail(_("Someone changed the same pupils or groups at the same moment, so nothing "
                    "was imported. Try again."))
        _show(plan, file.name)
    if not plan.ok:
        _fail(_("Nothing was imported: correct the file first."))
    if not plan.has_changes:
        click.echo(_("Everything in this file is already in the portal. Nothing was changed."))
    elif apply_it:
        click.echo(_("Applied."))
    else:
        click.echo(_("This was a preview: nothing was changed. To apply it:"))
        click.echo(f"  flask --app schoolportal import-edexml {path} --apply "
                   f"--fingerprint {edexml_service.fingerprint(plan)}")


def _fail(message):
    """Stop with a message and exit status 1."""
    click.echo(message, err=True)
    raise SystemExit(1)


def _section(title, lines):
    """A heading with its count, then one indented line each (nothing when empty)."""
    if lines:
        click.echo(f"\n{title} ({len(lines)}):")
        for line in lines:
            click.echo(f"  {line}")


def _show(plan, file_name):
    """Print the plan: every group, pupil and teacher it touches."""
    for message in plan.file_errors:
        click.echo(str(message), err=True)
    if plan.export is None:
        return
    export = plan.export
    click.echo(_("EDEXML %(file)s: school year %(year)s, BRIN code %(brin)s, %(num)d pupils.",
                 file=file_name, year=export.school_year or "–", brin=export.brincode or "–",
                 num=len(export.pupils)))
    _section(_("Errors"), [str(message) for message in plan.errors])
    _section(_("Warnings"), [str(message) for message in plan.warnings])
    if not plan.ok:
        return
    _section(_("New groups"), [g.name for g in plan.new_groups])
    _section(_("Renamed groups"), [f"{group.name} → {g.name}" for group, g in plan.renamed_groups])
    _section(_("Combined groups (listed, not imported)"), export.combined_groups)
    _section(_("New pupils"), [f"{p.key}  {p.full_name}  {p.birth_date:%d-%m-%Y}  "
                               f"{plan.group_name(p.group_key)}" for p, _n in plan.new_pupils])
    _section(_("Changed pupils"), [
        f"{u.line.key}  {u.pupil.full_name}: " + "; ".join(
            f"{c.what}: {c.old} → {c.new}" for c in u.changes) for u in plan.updated])
    _section(_("Proposed as leaving (not in the file; confirm on the pupil's page)"), [
        f"{p.full_name} ({p.group.name})  /admin/pupils/{p.id}" for p in plan.leaving])
    _section(_("New teachers (account and invitation)"), [
        f"{t.teacher.name} <{t.teacher.email}>: " + ", ".join(
            plan.group_name(k) for k in t.group_keys) for t in plan.new_teachers])
    _section(_("Teachers linked to groups"), [
        f"{t.user.display_name} <{t.user.email}>: " + ", ".join(
            plan.group_name(k) for k in t.group_keys)
        for t in plan.teachers if t.user is not None and t.group_keys])
    click.echo("")
    click.echo(_("Unchanged pupils: %(num)d", num=plan.unchanged))
    click.echo(_("Fingerprint: %(fingerprint)s", fingerprint=edexml_service.fingerprint(plan)))
