"""What a mail server's refusal means, in words the school office understands.

The outbox keeps the server's own answer (`(550, b'5.1.1 <x@y>: Recipient address
rejected')`); the office sees a plain explanation first and the technical text folded away.
"""

import re

from flask_babel import lazy_gettext as _l

CODE = re.compile(r"\((\d{3}),")  # smtplib's (code, message) tuple, as str()
ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")  # RFC 3463: 5.1.1

UNKNOWN_ADDRESS = _l("This email address does not exist: the recipient's mail server does "
                     "not know it. Check the address for a typing error.")
UNKNOWN_DOMAIN = _l("The part of the address after the @ does not exist. Check the address "
                    "for a typing error.")
MAILBOX_FULL = _l("The recipient's mailbox is full. They need to make room first.")
REFUSED = _l("The recipient's mail server refuses mail from the school (as spam or by its "
             "own rules). Ask the recipient to allow mail from the school, or use another "
             "address.")
TEMPORARY = _l("The recipient's mail server could not take the mail for now. The portal "
               "tries again later by itself.")
LOGIN = _l("The portal could not log in to its own mail server. Ask whoever manages the "
           "portal to check the mail settings.")
UNREACHABLE = _l("The portal's mail server could not be reached. The portal tries again "
                 "later by itself; if this keeps happening, ask whoever manages the portal.")
OTHER = _l("The mail could not be delivered. The technical details below say why.")


def explain(error):
    """A plain explanation of a stored delivery error (None for no error)."""
    if not error:
        return None
    text = error.lower()
    if any(word in text for word in ("connection refused", "timed out", "timeout",
                                     "name or service not known", "getaddrinfo",
                                     "network is unreachable", "connection unexpectedly")):
        return UNREACHABLE
    code = CODE.search(error)
    enhanced = ENHANCED.search(error)
    klass, subject, detail = enhanced.groups() if enhanced else (None, None, None)
    basic = int(code.group(1)) if code else None
    if basic in (530, 534, 535) or "authentication" in text:
        return LOGIN
    if (subject, detail) in (("1", "1"), ("1", "6")) or "user unknown" in text \
            or "no such user" in text or "does not exist" in text:
        return UNKNOWN_ADDRESS
    if (subject, detail) in (("1", "2"), ("1", "10")) or "domain not found" in text:
        return UNKNOWN_DOMAIN
    if (subject, detail) == ("2", "2") or basic == 552 or "mailbox full" in text \
            or "quota" in text:
        return MAILBOX_FULL
    if klass == "4" or (basic is not None and 400 <= basic < 500):
        return TEMPORARY
    if subject == "7" or basic == 554 or "spam" in text or "blocked" in text:
        return REFUSED
    return OTHER
