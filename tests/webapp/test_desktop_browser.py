"""On a desktop the navigation uses the width: a side bar, and wide tables are not cut off."""

from schoolportal.core.models import MAIL_DEAD, Group
from tests.admin.test_admin import _mails
from tests.support.browser import DESKTOP, assert_no_axe_violations, log_in
from tests.support.web import ADMIN

CUT_OFF = ("[...document.querySelectorAll('.table-wrap')]"
           ".filter(w => w.scrollWidth > w.clientWidth + 1).length")


def test_side_bar_and_full_width_tables_on_a_desktop(app, ctx, new_page):
    _mails(app, 3)
    _mails(app, 1, status=MAIL_DEAD, attempts=8,
           last_error="(550, b'5.1.1 <ouder@example.org>: Recipient address rejected')")
    group_id = ctx(lambda: Group.get(Group.name == "Groep 1/2A").id)
    page = new_page(viewport=DESKTOP)
    log_in(page, ADMIN)
    for path in (f"/toestemming/groep/{group_id}", "/admin/mail"):
        page.goto(path)
        assert page.locator(".table-wrap").count() >= 1
        assert page.evaluate(CUT_OFF) == 0, path
        assert page.locator("#webapp-tabs").is_hidden()
        side = page.locator("#site-nav").bounding_box()
        main = page.locator("main").bounding_box()
        assert side["x"] == 0 and side["height"] > 300 and main["x"] >= side["width"]
        assert main["width"] > 930  # more than the old 930 px column
        assert_no_axe_violations(page)
