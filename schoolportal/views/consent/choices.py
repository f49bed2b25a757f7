"""Photo consent: parents' choices per child, each child's history, the staff overview (issue 5).

A parent's page lists each own child with every active category as a row of buttons. Each
button is a plain form that posts and redirects back (post/redirect/get); htmx sends the
same form and gets only that row back. Who may choose or read what is decided in authz.
"""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from schoolportal import authz
from schoolportal.consent import policy, service
from schoolportal.consent.forms import ConsentChoiceForm
from schoolportal.consent.models import ConsentCategory
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.views import me
from schoolportal.views.consent import bp

HISTORY_LIMIT = 200


@bp.app_template_global("consent_photo_url")
def photo_url(photo_id):
    """Where staff open one photo (the albums area's photo viewer)."""
    try:
        return url_for("albums.viewer", photo_id=photo_id)
    except BuildError:  # the albums pages are not there (yet)
        return f"/albums/photos/{photo_id}"


@bp.get("/toestemming")
@authz.signed_in
def index():
    """Parents: their children's choices; staff and admins: the groups they may look into."""
    if current_user.is_parent:
        return _parent_page()
    return render_page("consent/index_staff.html",
                       groups=policy.consent_group_list(current_user))


@bp.post("/toestemming/<int:pupil_id>/<int:category_id>")
@authz.allow(ROLE_PARENT, ROLE_ADMIN)
def choose(pupil_id, category_id):
    """Store one choice; the row (htmx) or the page again (plain form, post/redirect/get)."""
    pupil = policy.consent_child_or_404(current_user, pupil_id)
    category = _active_category_or_404(category_id)
    form = ConsentChoiceForm()
    if not form.validate_on_submit():
        error = _("Choose yes or no. Nothing was changed.")
        if wants_fragment():
            return _row(pupil, category, error, "error", status=422)
        if not current_user.is_parent:
            return _pupil_page(pupil, status=422)
        return _parent_page(status=422, notes={(pupil.id, category.id): (error, "error")})
    change = service.set_choice(pupil, category, form.granted_value,
                                me())
    message = _message(pupil, category, change, form.granted_value)
    if wants_fragment():
        return _row(pupil, category, message)
    flash(message, "success")
    target = authz.safe_next_url(form.next.data) or url_for(".index")
    return redirect(f"{target.split('#')[0]}#consent-row-{pupil.id}-{category.id}")


@bp.get("/toestemming/leerling/<int:pupil_id>")
@authz.signed_in
def pupil(pupil_id):
    """One child's current choices and every change (who, when, old -> new)."""
    return _pupil_page(policy.consent_pupil_or_404(current_user, pupil_id))


def _pupil_page(child, status=200):
    """A child's choices (with buttons for the office) and the history of changes."""
    choices = service.choices_of([child.id])
    return render_page(
        "consent/pupil.html", status=status, pupil=child,
        rows=[(c, choices.get((child.id, c.id))) for c in service.categories()],
        changes=list(service.history([child.id], limit=HISTORY_LIMIT)),
        may_set=policy.records_paper_consent(current_user, child),
        back=url_for(".pupil", pupil_id=child.id))


def _active_category_or_404(category_id):
    """An active category; an unknown or deactivated one is a 404."""
    category = ConsentCategory.get_or_none(
        (ConsentCategory.id == authz.real_id_or_404(category_id))
        & (ConsentCategory.active == True))  # noqa: E712
    if category is None:
        abort(404)
    return category


def _message(pupil, category, change, granted):
    """What the parent reads after a choice."""
    if change is None:
        return _("Nothing changed: this was already your choice.")
    if not current_user.is_parent:  # the office records a parent's (paper) choice
        if granted:
            return _("Saved: consent for %(child)s (%(category)s). The teacher has been told.",
                     child=pupil.first_name, category=category.name)
        return _("Saved: no consent for %(child)s (%(category)s). The teacher has been told.",
                 child=pupil.first_name, category=category.name)
    if granted:
        return _("Saved: you give consent for %(child)s (%(category)s). The teacher has been "
                 "told.", child=pupil.first_name, category=category.name)
    return _("Saved: you do not give consent for %(child)s (%(category)s). The teacher has "
             "been told.", child=pupil.first_name, category=category.name)


def _row(pupil, category, message=None, kind="success", status=200):
    """One category row of one child, as htmx swaps it."""
    state = service.choices_of([pupil.id]).get((pupil.id, category.id))
    return render_page("consent/index_parent.html", "partials/consent/choice_row.html",
                       status=status, pupil=pupil, category=category, state=state,
                       note=(message, kind) if message else None,
                       back=url_for(".index") if current_user.is_parent
                       else url_for(".pupil", pupil_id=pupil.id))


def _parent_page(status=200, notes=None):
    """The parent's page: each child at school with a row per active category."""
    children = list(policy.consent_children(current_user))
    return render_page("consent/index_parent.html", status=status, children=children,
                       categories=list(service.categories()),
                       choices=service.choices_of([c.id for c in children]),
                       notes=notes or {}, back=url_for(".index"))
