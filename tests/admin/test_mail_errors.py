"""The office reads why a mail was not delivered in plain words, the server's answer folded away."""

import pytest

from schoolportal.admin import mail_errors
from schoolportal.core.models import MAIL_DEAD
from tests.admin.test_admin import _mails

RAW = "(550, b'5.1.1 <ouder@example.org>: Recipient address rejected: User unknown')"


@pytest.mark.parametrize(("error", "explanation"), [
    (RAW, mail_errors.UNKNOWN_ADDRESS),
    ("(550, b'5.1.2 Domain not found')", mail_errors.UNKNOWN_DOMAIN),
    ("(552, b'5.2.2 Mailbox full')", mail_errors.MAILBOX_FULL),
    ("(451, b'4.7.1 Greylisted, try again later')", mail_errors.TEMPORARY),
    ("(554, b'5.7.1 Message rejected as spam')", mail_errors.REFUSED),
    ("(535, b'5.7.8 Authentication credentials invalid')", mail_errors.LOGIN),
    ("[Errno 111] Connection refused", mail_errors.UNREACHABLE),
    ("timed out", mail_errors.UNREACHABLE),
    ("something nobody expected", mail_errors.OTHER),
])
def test_each_kind_of_refusal_gets_its_explanation(error, explanation):
    assert mail_errors.explain(error) is explanation
    assert mail_errors.explain("") is None


def test_the_outbox_explains_in_dutch_and_folds_the_technical_text(app, admin):
    [mail_id] = _mails(app, 1, status=MAIL_DEAD, attempts=8, last_error=RAW)
    for url in ("/admin/mail", f"/admin/mail/{mail_id}"):
        html = admin.get(url).get_data(as_text=True)
        assert "Dit e-mailadres bestaat niet" in html
        folded = html[html.index("<details class=\"admin-error-detail\">"):]
        assert folded.index("Technische details") < folded.index("Recipient address rejected")
        plain = html[:html.index("<details class=\"admin-error-detail\">")]
        assert "Recipient address rejected" not in plain and "(550, b'" not in plain
