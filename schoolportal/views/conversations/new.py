"""Starting a conversation: a parent writes to a teacher or the office; staff to guardians.

Whom someone may reach comes from authz; a choice outside it (a forged form) gets a clear
message and changes nothing. Parents reach other parents only when the school allows it
(PARENT_TO_PARENT_MESSAGES) and the other parent shows themselves in the directory.
"""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.conversations import directory, policy, service
from schoolportal.conversations.forms import ParentStartForm, StaffStartForm
from schoolportal.core import media
from schoolportal.core.models import ROLE_ADMIN, ROLE_PARENT, Group, Pupil
from schoolportal.core.rendering import render_page
from schoolportal.views import me
from schoolportal.views.conversations import bp

PICKER_LIMIT = 30  # pupils listed for one search


@bp.get("/conversations/new")
@authz.signed_in
def new():
    """The form to start a conversation (staff first choose the pupil it is about)."""
    if current_user.role == ROLE_PARENT:
        options = _parent_options()
        form = ParentStartForm(_choices(options), formdata=None,
                               data={"recipient": request.args.get("to", "")[:40]})
        return _parent_page(form, options)
    if not request.args.get("pupil"):
        return _pupil_picker()
    pupil = policy.reachable_pupil_or_404(current_user, request.args.get("pupil", 0, type=int))
    guardians = policy.guardians_reachable_by_staff(current_user, pupil)
    form = StaffStartForm(guardians, formdata=None, data={"guardians": [
        str(user.id) for user in guardians]})
    return _staff_page(form, pupil)


@bp.post("/conversations/new")
@authz.signed_in
def start():
    """Start the conversation with its first message, then show it."""
    if current_user.role == ROLE_PARENT:
        return _parent_start()
    pupil = policy.reachable_pupil_or_404(current_user, request.args.get("pupil", 0, type=int))
    guardians = policy.guardians_reachable_by_staff(current_user, pupil)
    form = StaffStartForm(guardians)
    if not form.validate_on_submit():
        return _staff_page(form, pupil, status=422)
    chosen = [user for user in guardians if user.id in form.chosen_ids()]
    return _started(form, lambda upload: service.start(
        me(), form.subject.data, form.body.data, chosen, pupil=pupil,
        with_office=current_user.role == ROLE_ADMIN, upload=upload),
        lambda: _staff_page(form, pupil, status=422))


def _parent_start():
    """A parent's new conversation with a teacher, the office or (if allowed) a parent."""
    options = _parent_options()
    form = ParentStartForm(_choices(options))
    if not form.validate_on_submit():
        return _parent_page(form, options, status=422)
    recipients, pupil, with_office, _label = options[form.recipient.data]
    return _started(form, lambda upload: service.start(
        me(), form.subject.data, form.body.data, recipients, pupil=pupil,
        with_office=with_office, upload=upload), lambda: _parent_page(form, options, status=422))


def _started(form, start_it, page_again):
    """Run the start; a refused file shows the form again with the reason next to it."""
    try:
        conversation = start_it(form.attachment.data)
    except media.MediaRejected as rejected:
        form.attachment.errors.append(rejected.message)
        return page_again()
    flash(_("Your message has been sent."), "success")
    return redirect(url_for(".conversation", conversation_id=conversation.id))


def _parent_options():
    """{choice key: (recipients, pupil, with_office, label)} for the logged-in parent."""
    options, teams = {}, {}
    for teacher, pupil in policy.staff_reachable_by_parent(current_user):
        options[f"staff-{teacher.id}-{pupil.id}"] = (
            [teacher], pupil, False,
            _("%(teacher)s, teacher of %(child)s", teacher=teacher.display_name,
              child=pupil.first_name))
        teams.setdefault(pupil.id, (pupil, []))[1].append(teacher)
    # Duo and part-time teachers: one message reaches every teacher of the child's group.
    for pupil, teachers in teams.values():
        if len(teachers) > 1:
            options[f"group-{pupil.group_id}-{pupil.id}"] = (
                teachers, pupil, False,
                _("All teachers of %(child)s (%(names)s)", child=pupil.first_name,
                  names=", ".join(t.display_name for t in teachers)))
    options["office"] = ([], None, True, _("The school office (administration and management)"))
    for parent in policy.parents_reachable_by_parent(current_user):
        options[f"parent-{parent.id}"] = ([parent], None, False,
                                          _("%(name)s, parent", name=parent.display_name))
    return options


def _choices(options):
    """(key, label) pairs for the recipient list."""
    return [(key, option[3]) for key, option in options.items()]


def _parent_page(form, options, status=200):
    """The parent's form, with the office hours of the teachers they can write to."""
    teachers = {recipients[0].id: recipients[0] for key, (recipients, *_rest) in options.items()
                if key.startswith("staff-")}  # the group options hold the same teachers
    hours = directory.hours_of(list(teachers))
    return render_page("conversations/new.html", status=status, form=form, pupil=None,
                       office_hours=[(teachers[i], hours[i]) for i in teachers if hours[i]])


def _staff_page(form, pupil, status=200):
    """The staff form for writing to a pupil's guardians."""
    return render_page("conversations/new.html", status=status, form=form, pupil=pupil,
                       office_hours=[])


def _pupil_picker():
    """Staff choose the pupil whose guardians they write to: own pupils, or a search."""
    query = (request.args.get("q") or "").strip()[:100]
    pupils = policy.pupils_reachable_by_staff(current_user)
    if query:
        pupils = pupils.where(Pupil.matches(query))
    elif current_user.role == ROLE_ADMIN:
        pupils = pupils.where(Pupil.id.is_null())  # the whole school is too long a list
    pupils = list(pupils.order_by(Group.sort_order, Group.name, Pupil.first_name, Pupil.last_name)
                  .limit(PICKER_LIMIT + 1 if query else 200))
    return render_page("conversations/pick_pupil.html", pupils=pupils[:PICKER_LIMIT]
                       if query else pupils, query=query,
                       more=query and len(pupils) > PICKER_LIMIT)
