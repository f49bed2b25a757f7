"""The mail outbox: `send` writes a mail in the caller's transaction; the worker delivers.

A mail is rendered in the recipient's language from the pair templates/email/<name>.txt
and .html. `send` renders it at once and stores it; `send_later` stores only the template
and a few ids (JSON in `context`) and the worker renders it, with the renderer the area
registered for that template (`add_renderers`), just before delivery: an action many
people take at the same moment (booking a meeting at 19:00) then writes one small row.
The worker claims due mails with a conditional update, hands them to the SMTP server, and
marks a mail sent only after the server accepted it. A failure waits longer each time;
after MAIL_MAX_ATTEMPTS the mail is marked dead and shown to admins. With MAIL_BACKEND =
"portal" (the demo) nothing leaves the machine: delivered mails can be read in the portal
instead.
"""

import json
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, g, render_template
from flask_babel import force_locale
from flask_mail import Connection, Message

from schoolportal.core.extensions import mail
from schoolportal.core.models import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENT,
    OutboxMail,
    normalize_email,
    utcnow,
)

CLAIM_FOR = timedelta(minutes=5)
RENDERERS = {}  # {template: function(ids) -> Rendering | None}, added by the areas


def add_renderers(renderers):
    """Render mails of these templates in the worker ({template: function(ids)}).

    The function gets the ids given to `send_later` and returns (recipient, subject,
    context) for the template, or None when the mail has lost its point (its booking is
    gone): such a mail is dropped. It runs in the recipient's language.
    """
    RENDERERS.update(renderers)


def send(to, template, subject, language=None, **context):
    """Queue one mail to a User or an address; call it inside the action's transaction."""
    return OutboxMail.create(**_rendered(to, template, subject, language, context))


def send_later(to, template, language=None, **ids):
    """Queue one mail to a User that the worker renders from `ids` (small JSON: ids, flags).

    Call it inside the action's transaction; the template needs a renderer (add_renderers).
    """
    if template not in RENDERERS:
        raise LookupError(f"No renderer for mail template {template!r}")
    language = language or getattr(to, "language", None) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]
    return OutboxMail.create(
        to_email=normalize_email(getattr(to, "email", to)), template=template,
        language=language, subject="", body_text="", body_html="",
        context=json.dumps(ids, sort_keys=True, separators=(",", ":")))


def render_waiting(rows):
    """Render the rows stored by `send_later` and store their text; returns the rows to send.

    A mail whose renderer answers None has lost its point and is deleted.
    """
    ready = []
    for row in rows:
        if row.context is None:
            ready.append(row)
            continue
        with force_locale(row.language):
            made = RENDERERS[row.template](json.loads(row.context))
        if made is None:
            OutboxMail.delete().where(OutboxMail.id == row.id).execute()
            continue
        to, subject, context = made
        rendered = _rendered(to, row.template, subject, row.language, context)
        row.subject, row.body_text, row.body_html = (
            rendered["subject"], rendered["body_text"], rendered["body_html"])
        row.context = None
        OutboxMail.update(subject=row.subject, body_text=row.body_text,
                          body_html=row.body_html, context=None).where(
            OutboxMail.id == row.id).execute()
        ready.append(row)
    return ready


def render_all_waiting():
    """Render every stored-but-unrendered mail now (tests, and `flask` shell use)."""
    return len(render_waiting(list(OutboxMail.select().where(OutboxMail.context.is_null(False))
                                   .order_by(OutboxMail.id))))


def send_many(recipients, template, subject, **context):
    """Queue one mail per User, each in its own language, with a single INSERT.

    Call it inside the action's transaction; returns how many mails were queued.
    """
    rows = [_rendered(to, template, subject, None, dict(context)) for to in recipients]
    if rows:
        OutboxMail.insert_many(rows).execute()
    return len(rows)


def _rendered(to, template, subject, language, context):
    """The outbox row for one recipient: the mail rendered in their language."""
    email = normalize_email(getattr(to, "email", to))
    language = language or getattr(to, "language", None) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        context.update(recipient=to, subject=str(subject))
        g.rendering_mail = True
        try:
            text = render_template(f"email/{template}.txt", **context)
            html = render_template(f"email/{template}.html", **context)
        finally:
            g.rendering_mail = False
        subject = str(subject)
    return {"to_email": email, "template": template, "language": language,
            "subject": subject[:255], "body_text": text, "body_html": html}


def absolute_url(endpoint, **values):
    """A full link for a mail, built from BASE_URL (mails are also rendered outside requests)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


class _TimedConnection(Connection):
    """Flask-Mail's connection, with a timeout so a hanging server cannot stall the worker."""

    def configure_host(self):
        """Open the SMTP connection with MAIL_TIMEOUT seconds to answer."""
        timeout = current_app.config["MAIL_TIMEOUT"]
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def __exit__(self, exc_type, exc_value, tb):
        """Say goodbye; after a failure only close, so the mails keep the real reason."""
        if self.host is None:
            return
        if exc_type is None:
            self.host.quit()
        else:
            self.host.close()


def _claim(mail_row, now):
    """Take a mail for this worker; False when another worker took it first."""
    claimed = OutboxMail.update(
        claimed_until=now + CLAIM_FOR, attempts=OutboxMail.attempts + 1
    ).where(
        (OutboxMail.id == mail_row.id)
        & (OutboxMail.status == MAIL_PENDING)
        & (OutboxMail.claimed_until.is_null() | (OutboxMail.claimed_until < now))
    ).execute()
    return claimed == 1


def _message(row):
    """The multipart message for an outbox row."""
    message = Message(
        subject=row.subject, recipients=[row.to_email], body=row.body_text, html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    message.msgId = f"<outbox-{row.id}.{row.created_at:%Y%m%d%H%M%S}@schoolportal>"
    return message


def _mark_sent(row):
    """The server accepted the mail."""
    OutboxMail.update(status=MAIL_SENT, sent_at=utcnow(), claimed_until=None,
                      last_error=None).where(OutboxMail.id == row.id).execute()


def _refusal(error):
    """(permanent, reason) for a refusal: a 5xx answer will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [(code, text) for code, text in error.recipients.values()]
    else:
        codes = [(error.smtp_code, error.smtp_error)]
    reason = "; ".join(f"{code} {_text(text)}" for code, text in codes)
    return any(code >= 500 for code, _text in codes), reason


def _text(answer):
    """An SMTP server's answer as text."""
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _mark_failed(row, error, permanent=False):
    """The mail was not accepted: wait longer each time, give up after the limit (or at once
    when the server refused it for good, e.g. 550 no such mailbox)."""
    config = current_app.config
    attempts = row.attempts + 1
    if permanent or attempts >= config["MAIL_MAX_ATTEMPTS"]:
        changes = {OutboxMail.status: MAIL_DEAD}
    else:
        delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1),
                    config["MAIL_RETRY_MAX_SECONDS"])
        changes = {OutboxMail.next_attempt_at: utcnow() + timedelta(seconds=delay)}
    changes.update({OutboxMail.claimed_until: None, OutboxMail.last_error: str(error)[:2000]})
    OutboxMail.update(changes).where(OutboxMail.id == row.id).execute()


def deliver_due(limit=500):
    """Send the mails that are due; returns (sent, failed)."""
    now = utcnow()
    # Read the candidates completely before claiming: on SQLite an open read cursor
    # cannot be upgraded to a write while another worker writes ("database is locked").
    candidates = list(OutboxMail.due(now).limit(limit))
    rows = [row for row in candidates if _claim(row, now)]
    if not rows:
        return 0, 0
    rows = _render_claimed(rows)
    if not rows:
        return 0, 0
    if current_app.config["MAIL_BACKEND"] == "portal":
        for row in rows:
            _mark_sent(row)
        return len(rows), 0
    sent = failed = 0
    pending = list(rows)
    state = mail.init_mail(current_app.config, current_app.debug, False)
    try:
        with _TimedConnection(state) as connection:
            while pending:
                row = pending[0]
                try:
                    connection.send(_message(row))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                        smtplib.SMTPDataError) as error:
                    permanent, reason = _refusal(error)
                    _mark_failed(row, reason, permanent)  # this mail only; the connection goes on
                    failed += 1
                else:
                    _mark_sent(row)
                    sent += 1
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        # No connection (or it broke): every mail not yet accepted waits for a later round.
        for row in pending:
            _mark_failed(row, error)
            failed += 1
    return sent, failed


def _render_claimed(rows):
    """Render the claimed rows that wait for it; a renderer's failure counts as a failed try."""
    ready = []
    for row in rows:
        try:
            ready.extend(render_waiting([row]))
        except Exception as error:  # noqa: BLE001 (one broken mail must not stop the others)
            current_app.logger.exception("Rendering mail %s failed", row.id)
            _mark_failed(row, f"rendering failed: {error!r}")
    return ready


def dead_mails():
    """Mails that could not be delivered, newest first, for the admins."""
    return OutboxMail.select().where(OutboxMail.status == MAIL_DEAD).order_by(
        OutboxMail.id.desc())
