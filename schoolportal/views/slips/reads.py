""""Gelezen en begrepen" on a post: asking, confirming, following, reminding; and what the
post page shows of slips (the feed's post page includes partials/slips/post.html)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.models import ROLE_PARENT
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.slips import building, policy, reads, reminders
from schoolportal.slips.forms import ActionForm
from schoolportal.views import me
from schoolportal.views.slips import bp


@bp.app_template_global("slips_of_post")
def slips_of_post(post):
    """What the post page shows of slips and read confirmations, for the current user."""
    sees = policy.may_see_confirmations(current_user, post)
    # staff who follow the answers get the counts with the slips, in the same statement
    slips = building.slips_of_post(post, with_counts=sees)
    request_, confirmed = reads.request_and_confirmed(post, current_user)
    return {
        "slips": slips,
        "counts": {slip.id: (slip.answered, slip.children) for slip in slips} if sees else {},
        "asked": request_ is not None,
        "may_ask": policy.may_ask_read_confirmation(current_user, post),
        "may_add_slip": post.group_id is not None
        and policy.may_ask_read_confirmation(current_user, post),
        "confirmed": confirmed and current_user.role == ROLE_PARENT,
        "is_parent": current_user.role == ROLE_PARENT,
        "confirmations": reads.confirmations_of(post) if request_ and sees else None,
    }


@bp.post("/posts/<int:post_id>/read-request")
@authz.staff_only
def ask_confirmation(post_id):
    """Ask the parents of the post to confirm they read and understood it."""
    post = policy.requestable_post_or_404(current_user, post_id)
    _checked()
    reads.ask(post, me())
    flash(_("Parents are asked to confirm they read this post."), "success")
    return redirect(url_for("feed.post", post_id=post.id))


@bp.post("/posts/<int:post_id>/read-request/stop")
@authz.staff_only
def stop_asking(post_id):
    """Stop asking for confirmations (those given are kept)."""
    post = policy.requestable_post_or_404(current_user, post_id)
    _checked()
    reads.stop_asking(post)
    flash(_("Parents are no longer asked to confirm reading this post."), "success")
    return redirect(url_for("feed.post", post_id=post.id))


@bp.post("/posts/<int:post_id>/read")
@authz.allow(ROLE_PARENT)
def confirm(post_id):
    """The parent's "Gelezen" (read and understood)."""
    post = policy.confirmable_post_or_404(current_user, post_id)
    _checked()
    reads.confirm(post, me())
    if wants_fragment():
        return render_page("partials/slips/read_done.html", "partials/slips/read_done.html",
                           post=post)
    flash(_("Thank you: the school sees that you read this."), "success")
    return redirect(url_for("feed.post", post_id=post.id))


@bp.post("/posts/<int:post_id>/read-remind")
@authz.staff_only
def remind_readers(post_id):
    """Remind the parents who have not confirmed reading yet (once a day each)."""
    post = policy.followed_post_or_404(current_user, post_id)
    _checked()
    if reads.request_of(post) is None:
        abort(404)
    missing = reminders.unconfirmed_parents(post, reads.expected_readers(post))
    told = reminders.remind_readers(post, missing)
    if told:
        flash(_("A reminder went to %(count)d parents.", count=told), "success")
    else:
        flash(_("Nobody to remind: everyone has confirmed or was reminded today."), "info")
    return redirect(url_for("feed.post", post_id=post.id))


def _checked():
    """The form's CSRF token is valid (it is checked for every POST; this is the form)."""
    if not ActionForm().validate_on_submit():
        abort(400)
