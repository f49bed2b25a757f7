"""The private calendar feed: a secret link for the phone's own calendar app.

The link holds a long random token; only its hash is stored, so the link is shown once,
right after it is made. Making a new link revokes the old one.
"""

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.calendar import ics, service
from schoolportal.calendar.forms import ConfirmForm
from schoolportal.core import outbox, worker
from schoolportal.core.models import School
from schoolportal.core.rendering import render_page
from schoolportal.views.calendar import bp

NEW_LINK = "calendar_new_link"  # the new token, in the session for one page view only


@bp.get("/agenda/feed")
@authz.signed_in
def feed():
    """Where the user makes (or replaces, or stops) their feed link; a new one is shown once."""
    token = session.pop(NEW_LINK, None)
    url = outbox.absolute_url("calendar.ics_feed", token=token) if token else None
    return render_page("calendar/feed.html", feed=service.feed_of(current_user),
                       feed_url=url, webcal_url=_webcal(url), form=ConfirmForm(formdata=None))


@bp.post("/agenda/feed")
@authz.signed_in
def new_feed():
    """Make a new link; an old one stops working at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    had_one = service.feed_of(current_user) is not None
    session[NEW_LINK] = service.new_feed_token(current_user)
    flash(_("Your new link is ready. The old link no longer works.") if had_one
          else _("Your link is ready."), "success")
    return redirect(url_for("calendar.feed"))


@bp.post("/agenda/feed/stop")
@authz.signed_in
def stop_feed():
    """Revoke the link: calendar apps that use it get nothing more."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.stop_feed(current_user):
        flash(_("Your link has been stopped. Calendars that used it get no more updates."),
              "success")
    return redirect(url_for("calendar.feed"))


@bp.get("/agenda/<token>.ics")
@authz.public
def ics_feed(token):
    """The feed itself, for calendar apps (no login: the token is the key); 404 if unknown."""
    user = service.user_for_feed_token(token)
    if user is None:
        abort(404)
    school = School.current()
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "schoolportal"
    with force_locale(user.language):  # the feed reads in its owner's language
        body = ics.build_feed(
            _("Year calendar %(school)s", school=school.name if school else ""),
            service.feed_activities(user, worker.school_today()),
            service.feed_bookings(user), host=host,
            activity_url=lambda a: outbox.absolute_url("calendar.activity", activity_id=a.id))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="jaarkalender.ics"'
    # Private to this one reader; apps that poll get 304 while nothing changed.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)


def _webcal(url):
    """The same link as webcal://, which phones open in their calendar app to subscribe."""
    if not url:
        return None
    return "webcal://" + url.split("://", 1)[1]
