"""Coaching and research footage: staff-only media with a destruction date (issue 5).

Who sees what is decided in authz ("coaching and research footage"): the uploader, the
staff of the footage's group, and admins. Files are sent only by the routes below, after
authz found the row; once the row is gone (destroyed), so is every way to the file.
"""

from flask import flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from schoolportal import authz
from schoolportal.coaching import policy, service
from schoolportal.coaching.forms import DestroyForm, FootageForm
from schoolportal.coaching.models import COACHING_AREA, CoachingMedia, DestructionRecord
from schoolportal.core import media
from schoolportal.core.models import Group, User
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.core.worker import school_today
from schoolportal.views.coaching import bp


@bp.get("/coaching")
@authz.staff_only
def index():
    """The footage this member of staff may see, the first to be destroyed on top."""
    items = (policy.coaching_media(current_user).select(CoachingMedia, Group, User)
             .join(Group, JOIN.LEFT_OUTER).switch(CoachingMedia)
             .join(User, JOIN.LEFT_OUTER, on=CoachingMedia.scheduled_by)
             .order_by(CoachingMedia.destroy_on, CoachingMedia.id))
    return render_page("coaching/index.html", items=list(items), today=school_today())


@bp.get("/coaching/new")
@authz.staff_only
def new():
    """The upload form."""
    return _upload_page(_form(formdata=None))


@bp.post("/coaching/new")
@authz.staff_only
def upload():
    """Store a photo or video with its destruction date; bad input is refused with 422."""
    form = _form()
    if not form.validate_on_submit():
        return _upload_page(form, status=422)
    try:
        stored = service.store_upload(form.file.data.stream, form.file.data.filename)
    except media.MediaRejected as rejected:
        form.file.errors = [rejected.message]
        return _upload_page(form, status=422)
    item = service.add(current_user, stored, form.title.data.strip(),
                        form.purpose.data.strip(), form.chosen_group(), form.destroy_on.data)
    return _done(_("The footage has been saved. It will be destroyed on the date you chose."),
                 url_for(".item", media_id=item.id))


@bp.get("/coaching/<int:media_id>")
@authz.staff_only
def item(media_id):
    """One photo or video, its details and the button that destroys it now."""
    found = policy.coaching_media_or_404(current_user, media_id)
    return _item_page(found, DestroyForm(formdata=None))


@bp.get("/coaching/<int:media_id>/file")
@authz.staff_only
def footage(media_id):
    """The footage itself, to show in the page (photo or video player)."""
    found = policy.coaching_media_or_404(current_user, media_id)
    return media.send(COACHING_AREA, found.file_name, found.download_name, found.mimetype,
                      inline=True)


@bp.get("/coaching/<int:media_id>/download")
@authz.staff_only
def download(media_id):
    """The footage as a download."""
    found = policy.coaching_media_or_404(current_user, media_id)
    return media.send(COACHING_AREA, found.file_name, found.download_name, found.mimetype)


@bp.post("/coaching/<int:media_id>/destroy")
@authz.staff_only
def destroy(media_id):
    """Destroy footage now (the box must be ticked); the destruction is recorded."""
    found = policy.coaching_media_or_404(current_user, media_id)
    form = DestroyForm()
    if not form.validate_on_submit():
        return _item_page(found, form, status=422)
    service.destroy_early(found, current_user)
    return _done(_("The footage has been destroyed."), url_for(".records"))


@bp.get("/coaching/destroyed")
@authz.staff_only
def records():
    """What was destroyed, when, and who scheduled it."""
    found = policy.destruction_records(current_user).order_by(
        DestructionRecord.destroyed_at.desc(), DestructionRecord.id.desc())
    return render_page("coaching/records.html", records=list(found))


def _form(**kwargs):
    """The upload form with the groups this user may link footage to."""
    return FootageForm(groups=list(policy.coaching_groups(current_user)), **kwargs)


def _upload_page(form, status=200):
    """The upload page, or only its form for htmx."""
    today = school_today()
    return render_page("coaching/new.html", "partials/coaching/upload_form.html",
                       status=status, form=form, today=today,
                       latest=service.latest_destroy_on(today),
                       max_mb=service.max_bytes() // 2**20)


def _item_page(found, form, status=200):
    """The item page, or only its destroy form for htmx."""
    return render_page("coaching/item.html", "partials/coaching/destroy_form.html",
                       status=status, item=found, form=form)


def _done(message, url):
    """After a change: flash, then the next page (htmx follows HX-Redirect)."""
    flash(message, "success")
    if wants_fragment():
        return make_response("", 200, {"HX-Redirect": url})
    return redirect(url)
