"""Calls for help (oproepjes): staff ask for a number of people, parents sign up with one tap.

Signing up and withdrawing answer with the call's region for htmx (and a full page
without JavaScript). A call that has no room left answers 409 with "vol".
"""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.core import worker
from schoolportal.core.database import write_transaction
from schoolportal.core.rendering import render_page
from schoolportal.surveys import calls, policy
from schoolportal.surveys.forms import SCHOOL, ActionForm, CallForm
from schoolportal.surveys.models import HelpCall
from schoolportal.views.surveys import bp


@bp.get("/surveys/calls/new")
@authz.staff_only
def call_new():
    """The form for a new call for help."""
    return _form_page(_call_form(formdata=None))


@bp.post("/surveys/calls/new")
@authz.staff_only
def call_create():
    """Post a call for help to a group (or, for admins, the whole school)."""
    form = _call_form()
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    call = HelpCall.create(title=form.title.data.strip(), group=form.group_id(),
                           description=(form.description.data or "").strip(),
                           event_on=form.event_on.data, places=form.places.data,
                           created_by=current_user.id)
    flash(_("The call for help has been posted."), "success")
    return redirect(url_for(".call", call_id=call.id))


@bp.get("/surveys/calls/<int:call_id>")
@authz.signed_in
def call(call_id):
    """A call: what is needed, who signed up, and signing up or withdrawing."""
    found = policy.visible_call_or_404(current_user, call_id)
    return _call_page(found)


@bp.post("/surveys/calls/<int:call_id>/signup")
@authz.signed_in
def call_signup(call_id):
    """Take a place with one tap; "vol" (409) when every place is taken."""
    found = _signable_or_404(call_id)
    outcome = calls.sign_up(found, current_user, worker.school_today())
    if outcome == calls.SignUp.FULL:
        flash(_("Sorry, this call is full (vol): every place has been taken."), "error")
        return _call_page(HelpCall.get_by_id(found.id), status=409)
    if outcome == calls.SignUp.CLOSED:
        flash(_("This call is over: signing up is no longer possible."), "error")
        return _call_page(found, status=409)
    if outcome == calls.SignUp.SIGNED_UP:
        flash(_("Thank you! You have signed up."), "success")
    else:
        flash(_("You had signed up already."), "info")
    return redirect(url_for(".call", call_id=found.id))


@bp.post("/surveys/calls/<int:call_id>/withdraw")
@authz.signed_in
def call_withdraw(call_id):
    """Give one's place back."""
    found = _signable_or_404(call_id)
    if calls.withdraw(found, current_user, worker.school_today()):
        flash(_("You have withdrawn: your place is free again."), "success")
    else:
        flash(_("You were not signed up for this call."), "info")
    return redirect(url_for(".call", call_id=found.id))


@bp.get("/surveys/calls/<int:call_id>/edit")
@authz.staff_only
def call_edit(call_id):
    """The form to change a call."""
    found = policy.manageable_call_or_404(current_user, call_id)
    data = {"title": found.title, "description": found.description, "places": found.places,
            "event_on": found.event_on, "group": str(found.group_id or SCHOOL)}
    return _form_page(_call_form(formdata=None, data=data), found)


@bp.post("/surveys/calls/<int:call_id>/edit")
@authz.staff_only
def call_update(call_id):
    """Save a call; the number of places cannot go below the people signed up."""
    found = policy.manageable_call_or_404(current_user, call_id)
    form = _call_form()
    if not form.validate_on_submit():
        return _form_page(form, found, status=422)
    with write_transaction():
        if not calls.change_places(found, form.places.data):
            form.places.errors.append(_("%(count)d people have signed up already: choose at "
                                        "least that many places.", count=found.taken))
            return _form_page(form, found, status=422)
        HelpCall.update(title=form.title.data.strip(), group=form.group_id(),
                        description=(form.description.data or "").strip(),
                        event_on=form.event_on.data).where(HelpCall.id == found.id).execute()
    flash(_("The call for help has been saved."), "success")
    return redirect(url_for(".call", call_id=found.id))


@bp.post("/surveys/calls/<int:call_id>/delete")
@authz.staff_only
def call_delete(call_id):
    """Take a call away, with its sign-ups."""
    found = policy.manageable_call_or_404(current_user, call_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    HelpCall.delete().where(HelpCall.id == found.id).execute()
    flash(_("The call for help has been deleted."), "success")
    return redirect(url_for(".index"))


def _signable_or_404(call_id):
    """A call this parent sees, after the CSRF check; staff and other groups get 404."""
    found = policy.visible_call_or_404(current_user, call_id)
    if not policy.may_sign_up(current_user, found):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return found


def _call_form(**kwargs):
    """The call form with the groups this user may address."""
    return CallForm(groups=policy.addressable_groups(current_user),
                    whole_school=policy.may_address_whole_school(current_user), **kwargs)


def _form_page(form, found=None, status=200):
    """The page to make or change a call."""
    return render_page("surveys/call_form.html", status=status, form=form, call=found)


def _call_page(found, status=200):
    """The call page, or for htmx its region with the flash messages."""
    helping = calls.signed_up_ids(current_user, [found]) if current_user.is_parent else set()
    return render_page(
        "surveys/call.html", "partials/surveys/call_update.html", status=status, call=found,
        helpers=calls.helpers_of([found])[found.id], helping=found.id in helping,
        is_open=calls.is_open(found, worker.school_today()), action_form=ActionForm(),
        manages=policy.manageable_calls(current_user).where(HelpCall.id == found.id).exists())
