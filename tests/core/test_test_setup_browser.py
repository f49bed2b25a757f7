"""The browser helpers themselves: a check that cannot fail proves nothing."""

from tests.support.browser import axe_violations


def test_the_axe_helper_reports_a_known_violation_and_nothing_on_a_clean_page(new_page):
    page = new_page()
    page.set_content('<html lang="nl"><title>t</title><main><img src="/x.png"></main></html>')
    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}
    page.set_content('<html lang="nl"><title>t</title><main><h1>Hallo</h1></main></html>')
    assert [v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")] == []
