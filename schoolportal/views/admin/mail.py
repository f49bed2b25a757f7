"""The sent-mail overview: the outbox, dead mails to retry, and (in the demo) mail bodies.

An HTML mail body is never shown inside our pages: it opens on its own, served with a
sandbox CSP (no scripts, no same-origin rights, nothing loaded from elsewhere). That is
simpler and sturdier than an iframe, which would need frame-ancestors and X-Frame-Options
exceptions on both pages.
"""

from math import ceil

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from schoolportal import authz
from schoolportal.admin import mail_errors, policy, service
from schoolportal.admin.forms import ConfirmForm
from schoolportal.core.models import MAIL_DEAD, OutboxMail
from schoolportal.core.rendering import render_page
from schoolportal.views.admin import bp

PER_PAGE = 50
DEAD_SHOWN = 20
# The HTML body of a mail is someone else's document: no scripts, no origin, no loads.
MAIL_HTML_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@bp.get("/admin/mail")
@authz.admin_only
def mail():
    """The outbox, newest first, 50 a page; dead mails on top with a retry button."""
    total = OutboxMail.select().count()
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    mails = OutboxMail.select().order_by(OutboxMail.id.desc()).paginate(page, PER_PAGE)
    dead = OutboxMail.select().where(OutboxMail.status == MAIL_DEAD).order_by(
        OutboxMail.id.desc())
    return render_page(
        "admin/mail.html", mails=list(mails), page_number=page, pages=pages, total=total,
        dead=list(dead.limit(DEAD_SHOWN)), dead_count=dead.count(),
        bodies_readable=policy.may_read_mail_bodies(current_user),
        form=ConfirmForm(formdata=None),
    )


@bp.post("/admin/mail/retry")
@authz.admin_only
def retry_all():
    """Queue every dead mail again (e.g. after the mail server was down for a long time)."""
    count = service.retry_mail()
    flash(ngettext("%(num)d mail will be sent again.", "%(num)d mails will be sent again.",
                   count), "success")
    return redirect(url_for("admin.mail"))


@bp.post("/admin/mail/<int:mail_id>/retry")
@authz.admin_only
def retry_mail(mail_id):
    """Queue one dead mail again: pending, attempts back to 0 (only if it is still dead)."""
    row = policy.administered_mail_or_404(current_user, mail_id)
    if service.retry_mail(row.id):
        flash(_("The mail to %(email)s will be sent again.", email=row.to_email), "success")
    else:
        flash(_("This mail is no longer waiting for a retry."), "info")
    return redirect(url_for("admin.mail"))


@bp.get("/admin/mail/<int:mail_id>")
@authz.admin_only
def mail_message(mail_id):
    """One mail: its details, and its text only when mail never leaves the machine."""
    row = policy.administered_mail_or_404(current_user, mail_id)
    return render_page("admin/mail_message.html", mail=row,
                       bodies_readable=policy.may_read_mail_bodies(current_user),
                       form=ConfirmForm(formdata=None))


@bp.get("/admin/mail/<int:mail_id>/html")
@authz.admin_only
def mail_html(mail_id):
    """The HTML body on its own, sandboxed; only where bodies may be read (the demo)."""
    row = policy.administered_mail_or_404(current_user, mail_id)
    if not policy.may_read_mail_bodies(current_user):
        abort(404)
    response = make_response(row.body_html)
    response.mimetype = "text/html"
    response.headers["Content-Security-Policy"] = MAIL_HTML_POLICY
    return response


@bp.app_template_filter("mail_error_explained")
def mail_error_explained(error):
    """A stored delivery error in plain words (the raw text is shown folded next to it)."""
    return mail_errors.explain(error)
