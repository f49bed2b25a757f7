"""The spaces: the school-wide space and one space per group."""

from flask import request
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import School
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.feed import timeline
from schoolportal.spaces import service
from schoolportal.views.spaces import bp


@bp.get("/school")
@authz.signed_in
def school():
    """The school-wide space, open to everyone with an account."""
    items, next_cursor = timeline.feed_page(current_user, school_only=True)
    return render_page("spaces/school.html", school=School.current(),
                       **_feed(items, next_cursor, "school"))


@bp.get("/groups/<int:group_id>")
@authz.signed_in
def group(group_id):
    """A group's space; its pupil list can be filtered (htmx swaps only the list)."""
    group = authz.visible_group_or_404(current_user, group_id)
    query = (request.args.get("q") or "").strip()[:100]
    feed, whole_page = {}, not wants_fragment()  # the pupil filter swaps only the pupil list
    if whole_page:
        feed = _feed(*timeline.feed_page(current_user, group_id=group.id), str(group.id))
    return render_page(
        "spaces/group.html",
        "partials/spaces/pupils.html",
        **feed,
        **service.members(current_user, group, query, with_menu=whole_page),
        group=group,
        query=query,
    )


def _feed(items, next_cursor, choice):
    """What the feed's partials need to show this space's posts."""
    return {"items": items, "next_cursor": next_cursor, "choice": choice, "older": False}
