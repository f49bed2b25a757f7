"""The demo school "OBS De Regenboog", seeded by `flask seed-demo` (and the tests).

Each area keeps its demo content in its own `demo.py` with a `seed(today)`; this module runs
them in a visible order, each in its own transaction. Only `seed-demo` and the tests import
it: the running app never does. Idempotent: every row has a natural key or each area checks
what is there, so a second run adds nothing. The demo accounts in the README are a contract
for tests.
"""


from schoolportal.absence import demo as absence_demo
from schoolportal.access import demo as access_demo
from schoolportal.admin import demo as admin_demo
from schoolportal.albums import demo as albums_demo
from schoolportal.auth import demo as auth_demo
from schoolportal.calendar import demo as calendar_demo
from schoolportal.coaching import demo as coaching_demo
from schoolportal.consent import demo as consent_demo
from schoolportal.conversations import demo as conversations_demo
from schoolportal.core import clock
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Pupil, User
from schoolportal.family_data import demo as family_data_demo
from schoolportal.feed import demo as feed_demo
from schoolportal.imports import demo as imports_demo
from schoolportal.meetings import demo as meetings_demo
from schoolportal.notifications import demo as notifications_demo
from schoolportal.onboarding import demo as onboarding_demo
from schoolportal.privacy_admin import demo as privacy_admin_demo
from schoolportal.slips import demo as slips_demo
from schoolportal.surveys import demo as surveys_demo

DEMO_PASSWORD = admin_demo.DEMO_PASSWORD
# The examples, in the order they are added: later ones build on earlier ones (albums on
# posts, consent on photos, the audit log on consent changes).
EXAMPLES = (
    onboarding_demo, access_demo, feed_demo, absence_demo, meetings_demo, calendar_demo,
    surveys_demo, conversations_demo, albums_demo, consent_demo, coaching_demo,
    privacy_admin_demo, family_data_demo, notifications_demo, imports_demo, auth_demo,
    slips_demo,
)


def seed(today=None, examples=True):
    """Create the demo school; returns a one-line summary.

    `examples` adds every area's examples (open invitations with their mails, access
    requests, posts, absences, meetings, ...); the test suite starts without them so each
    test sees only the mail and requests it makes itself.
    """
    today = today or clock.school_today()
    with write_transaction():
        groups, _users = admin_demo.seed(today)
    if examples:
        for area in EXAMPLES:
            with write_transaction():
                area.seed(today)
    return (f"{admin_demo.SCHOOL_NAME}, {len(groups)} groups, {Pupil.select().count()} pupils, "
            f"{User.select().count()} accounts")
