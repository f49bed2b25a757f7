"""Photo consent for staff: per group, every pupil's choices (printable) and what is held back."""

from flask_login import current_user

from schoolportal import authz
from schoolportal.albums import policy as albums_policy
from schoolportal.consent import policy, service
from schoolportal.core.models import Pupil
from schoolportal.core.rendering import render_page
from schoolportal.views.consent import bp

RECENT_LIMIT = 30
PHOTO_LIMIT = 60


@bp.get("/toestemming/groep/<int:group_id>")
@authz.signed_in
def overview(group_id):
    """Rows pupils, columns categories: yes, no or not chosen; recent changes; held-back photos.

    Open to staff of the group and admins (authz); anyone else gets 404, like a guessed id.
    """
    group = policy.consent_group_or_404(current_user, group_id)
    pupils = list(authz.pupils_in_group_visible_to(current_user, group))
    pupil_ids = [p.id for p in pupils]
    in_group = Pupil.select(Pupil.id).where((Pupil.group == group.id) & Pupil.at_school())
    photos = service.held_back_photos(albums_policy.visible_photos(current_user), in_group)
    return render_page(
        "consent/overview.html", group=group, pupils=pupils,
        categories=list(service.categories()), choices=service.choices_of(pupil_ids),
        changes=list(service.history(pupil_ids, limit=RECENT_LIMIT)),
        photos=list(photos.limit(PHOTO_LIMIT)))
