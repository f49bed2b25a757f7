"""The browser helpers themselves: a check that cannot fail proves nothing."""

from tests.support.browser import axe_violations


def test_the_axe_helper_reports_a_known_violation_and_nothing_on_a_clean_page(new_page):
    page = new_page()
    page.set_content('<html lang="nl"><title>t</title><main><img src="/x.png"></main></html>')
    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}
    page.set_content('<html lang="nl"><title>t</title><main><h1>Hallo</h1></main></html>')
    assert [v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")] == []


def test_the_serious_only_axe_run_finds_what_the_full_run_finds_serious(new_page):
    """The every-page walk runs only the rules that can find something serious or critical:
    on a page with a critical (image-alt), a serious (color-contrast) and a moderate finding
    (no <main>: region), it finds the first two and skips the third; with axe kept in the
    context's next documents, the next page is checked as well."""
    page = new_page()
    page.set_content('<html lang="nl"><title>t</title><body><img src="/x.png">'
                     '<p style="color:#aaa;background:#fff">grijs</p></body></html>')
    full = {v["id"]: v["impact"] for v in axe_violations(page)}
    serious = {v["id"]: v["impact"] for v in axe_violations(page, serious_only=True)}
    assert full["region"] == "moderate"
    assert serious == {k: v for k, v in full.items() if v in ("serious", "critical")}
    assert {"image-alt", "color-contrast"} <= set(serious)
    assert 40 < len(page.context.serious_axe_rules) < 100
    page.goto("about:blank")
    page.set_content('<html lang="nl"><title>t</title><main><img src="/y.png"></main></html>')
    assert "image-alt" in {v["id"] for v in axe_violations(page, serious_only=True)}
