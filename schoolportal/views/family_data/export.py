"""Family data export and erasure (issue 11): a parent's own export; the admins' pages.

Erasure lives in family_data_erasure.py (same blueprint).
"""

from flask import request, send_file
from flask_login import current_user
from peewee import fn

from schoolportal import authz
from schoolportal.admin.service import today_in_school
from schoolportal.core.models import ROLE_PARENT, Guardianship, Pupil, User
from schoolportal.core.rendering import render_page
from schoolportal.family_data import erasure, policy
from schoolportal.family_data import export as family_export
from schoolportal.family_data.forms import CancelErasureForm, ExportForm
from schoolportal.views.family_data import bp

RESULTS = 30  # families shown per search


@bp.get("/account/data")
@authz.allow(ROLE_PARENT)
def mine():
    """What the portal holds about the parent's family, and the button to download it."""
    parent = policy.exporting_parent(current_user)
    return render_page("family_data/mine.html", form=ExportForm(),
                       family=erasure.family_of(parent))


@bp.post("/account/data/export")
@authz.allow(ROLE_PARENT)
def export_mine():
    """The parent's own export, as a ZIP download."""
    parent = policy.exporting_parent(current_user)
    form = ExportForm()
    if not form.validate_on_submit():
        return render_page("family_data/mine.html", status=422, form=form,
                           family=erasure.family_of(parent))
    return _zip(family_export.export(parent, current_user))


@bp.get("/admin/families")
@authz.admin_only
def families():
    """Find a family by a parent's name or address, or a child's name; scheduled erasures."""
    return families_page(CancelErasureForm())


def families_page(cancel_form, status=200):
    """The search page (results only, for htmx) with the erasures that wait."""
    query = request.args.get("q", "").strip()[:100]
    found = _search(query) if query else []
    return render_page("family_data/families.html", "partials/family_data/results.html",
                       status=status, query=query, found=found,
                       scheduled=list(erasure.scheduled()), names=_names_of_scheduled(),
                       cancel_form=cancel_form)


@bp.get("/admin/families/<int:account_id>")
@authz.admin_only
def family(account_id):
    """One family: guardians and children, export, erasure."""
    account = policy.family_account_or_404(current_user, account_id)
    open_erasure = next((e for e in erasure.scheduled() if account.id in e.accounts), None)
    return render_page("family_data/family.html", account=account, form=ExportForm(),
                       family=erasure.family_of(account), open_erasure=open_erasure,
                       cancel_form=CancelErasureForm())


@bp.post("/admin/families/<int:account_id>/export")
@authz.admin_only
def export_family(account_id):
    """An admin makes a parent's export (for a request by mail)."""
    account = policy.family_account_or_404(current_user, account_id)
    form = ExportForm()
    if not form.validate_on_submit():
        return render_page("family_data/family.html", status=422, account=account, form=form,
                           family=erasure.family_of(account), open_erasure=None,
                           cancel_form=CancelErasureForm())
    return _zip(family_export.export(account, current_user))


def _zip(spool):
    """Send the export as a download that no cache keeps."""
    name = f"gezinsgegevens-{today_in_school().isoformat()}.zip"
    response = send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _search(query):
    """Parents matching the text, with their children's names (two queries)."""
    text = query.lower()
    children = Guardianship.select(Guardianship.guardian).join(Pupil).where(Pupil.matches(text))
    accounts = list(policy.family_accounts(current_user).where(
        fn.LOWER(User.display_name).contains(text) | User.email.contains(text)
        | User.id.in_(children)).order_by(User.display_name).limit(RESULTS))
    kids = {}
    rows = (Guardianship.select(Guardianship.guardian, Pupil.first_name, Pupil.last_name)
            .join(Pupil).where(Guardianship.guardian.in_([a.id for a in accounts]))
            .order_by(Pupil.first_name).tuples())
    for guardian_id, first, last in rows:
        kids.setdefault(guardian_id, []).append(f"{first} {last}")
    return [(a, kids.get(a.id, [])) for a in accounts]


def _names_of_scheduled():
    """The chosen account's name per scheduled erasure (one query)."""
    ids = [e.account_id for e in erasure.scheduled()]
    return dict(User.select(User.id, User.display_name).where(User.id.in_(ids)).tuples())
