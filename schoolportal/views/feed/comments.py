"""Reactions: adding one inline, staff hiding them and closing a post, the house rules.

There is deliberately no route to edit or delete a reaction: once posted, its author
cannot change it; staff can hide it (who and when are kept).
"""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core.rendering import render_page, wants_fragment
from schoolportal.feed import comments, policy, timeline
from schoolportal.feed.forms import CommentForm, ConfirmForm, HouseRulesForm
from schoolportal.views.feed import bp
from schoolportal.views.feed.timeline import post_page


@bp.post("/posts/<int:post_id>/comments")
@authz.signed_in
def add_comment(post_id):
    """Add a reaction: 403 on school-wide or closed posts, whatever the request says."""
    post = policy.commentable_post_or_refuse(current_user, post_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return post_page(post, form, status=422)
    comment = comments.add_comment(post, current_user, form.body.data)
    if wants_fragment():
        # htmx follows the redirect and appends just the new reaction to the list.
        return redirect(url_for(".comment", comment_id=comment.id), code=303)
    flash(_("Your reaction has been posted."), "success")
    return redirect(url_for(".post", post_id=post.id, _anchor=f"feed-comment-{comment.id}"),
                    code=303)


@bp.get("/posts/<int:post_id>/comment-form")
@authz.signed_in
def comment_form(post_id):
    """"React" in the feed: for htmx the reaction form in place, else the post's own form."""
    post = policy.commentable_post_or_refuse(current_user, post_id)
    if not wants_fragment():
        return redirect(url_for(".post", post_id=post.id,
                                _anchor=f"feed-comment-form-{post.id}"))
    return render_page("feed/post.html", "partials/feed/comment_form.html", post=post,
                       comment_form=CommentForm(formdata=None), open_form=True,
                       house_rules=comments.house_rules())


@bp.get("/comments/<int:comment_id>")
@authz.signed_in
def comment(comment_id):
    """One reaction: for htmx the list item and a fresh form, else its place on the post page."""
    found = policy.visible_comment_or_404(current_user, comment_id)
    if not wants_fragment():
        return redirect(url_for(".post", post_id=found.post_id,
                                _anchor=f"feed-comment-{found.id}"))
    by_post, _counts = timeline.latest_comments(current_user, [found.post_id])
    shown = [c for c in by_post.get(found.post_id, []) if c.id == found.id]
    return render_page("feed/post.html", "partials/feed/comment_added.html", comment=shown[0],
                       post=found.post, comment_form=CommentForm(formdata=None),
                       house_rules=comments.house_rules())


@bp.post("/comments/<int:comment_id>/hide")
@authz.staff_only
def hide_comment(comment_id):
    """Hide a reaction from parents (staff of the group, admins)."""
    found = _moderated(comment_id)
    comments.hide_comment(found, current_user)
    flash(_("The reaction is hidden. Parents no longer see it."), "success")
    return redirect(url_for(".post", post_id=found.post_id, _anchor=f"feed-comment-{found.id}"))


@bp.post("/comments/<int:comment_id>/show")
@authz.staff_only
def show_comment(comment_id):
    """Show a hidden reaction again."""
    found = _moderated(comment_id)
    comments.show_comment(found)
    flash(_("The reaction is visible again."), "success")
    return redirect(url_for(".post", post_id=found.post_id, _anchor=f"feed-comment-{found.id}"))


@bp.post("/posts/<int:post_id>/comments/close")
@authz.staff_only
def close_comments(post_id):
    """No more reactions on this post."""
    post = _moderated_post(post_id)
    comments.close_comments(post, current_user)
    flash(_("Reactions on this post are closed."), "success")
    return redirect(url_for(".post", post_id=post.id))


@bp.post("/posts/<int:post_id>/comments/open")
@authz.staff_only
def reopen_comments(post_id):
    """Allow reactions on this post again."""
    post = _moderated_post(post_id)
    comments.reopen_comments(post)
    flash(_("Reactions on this post are open again."), "success")
    return redirect(url_for(".post", post_id=post.id))


@bp.get("/feed/rules")
@authz.signed_in
def house_rules():
    """The house rules for reactions; admins can change them here."""
    rules = comments.house_rules()
    form = HouseRulesForm(formdata=None, data={"body": rules.body})
    return _rules_page(form, rules)


@bp.post("/feed/rules")
@authz.admin_only
def save_house_rules():
    """Store new house rules (earlier versions are kept)."""
    form = HouseRulesForm()
    if not form.validate_on_submit():
        return _rules_page(form, comments.house_rules(), status=422)
    comments.save_house_rules(form.body.data.strip(), current_user)
    flash(_("The house rules have been saved."), "success")
    return redirect(url_for(".house_rules"))


def _rules_page(form, saved, status=200):
    """The house rules page, with the form for admins."""
    return render_page("feed/rules.html", status=status, form=form, house_rules=saved,
                       may_edit=policy.may_edit_house_rules(current_user))


def _moderated(comment_id):
    """A reaction this member of staff may moderate; checks the CSRF-only form."""
    found = policy.moderated_comment_or_404(current_user, comment_id)
    _confirmed()
    return found


def _moderated_post(post_id):
    """A post whose reactions this member of staff may close or open."""
    post = policy.post_or_404(current_user, post_id)
    if not policy.may_moderate_post(current_user, post):
        abort(404)
    _confirmed()
    return post


def _confirmed():
    """Refuse a button press without a valid CSRF token (400, nothing changed)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
