"""Photo consent for staff: per group, every pupil's choices (printable) and what is held back."""

from flask_login import current_user

from .. import authz, consent
from ..models import Pupil
from ..rendering import render_page
from .consent import bp

RECENT_LIMIT = 30
PHOTO_LIMIT = 60


@bp.get("/toestemming/groep/<int:group_id>")
@authz.signed_in
def overview(group_id):
    """Rows pupils, columns categories: yes, no or not chosen; recent changes; held-back photos.

    Open to staff of the group and admins (authz); anyone else gets 404, like a guessed id.
    """
    group = authz.consent_group_or_404(current_user, group_id)
    pupils = list(authz.pupils_in_group_visible_to(current_user, group))
    pupil_ids = [p.id for p in pupils]
    in_group = Pupil.select(Pupil.id).where((Pupil.group == group.id) & Pupil.at_school())
    photos = consent.withdrawn_photos(authz.visible_photos(current_user), in_group)
    return render_page(
        "consent/overview.html", group=group, pupils=pupils,
        categories=list(consent.categories()), choices=consent.choices_of(pupil_ids),
        changes=list(consent.history(pupil_ids, limit=RECENT_LIMIT)),
        photos=list(photos.limit(PHOTO_LIMIT)))
