"""The browser helpers themselves: a check that cannot fail proves nothing."""

import os
from pathlib import Path

from tests.support.browser import WITHOUT_FEATURES, axe_violations


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


def _chromium_command_lines():
    """The command lines of the Chromium browser processes this test process started (through
    Playwright's driver): the processes whose parent's parent is this one."""
    parents, lines = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            line = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").split()
        except OSError:
            continue
        parents[int(pid)] = int(stat.rsplit(")", 1)[1].split()[1])
        lines[int(pid)] = line
    return [line for pid, line in lines.items()
            if "--remote-debugging-pipe" in line and "--type" not in " ".join(line)
            and parents.get(parents.get(pid)) == os.getpid()]


def test_chromium_keeps_playwrights_disabled_features_and_opens_no_address_bar_pages(
        browser, new_page):
    """Chromium keeps only the last --disable-features: ours (CHROMIUM_ARGS) must hold every
    feature Playwright disables, whatever its version; and a window of a new context renders
    no address-bar popup pages (browser_ui targets), which cost a quarter of the browser
    tests' CPU."""
    [line] = _chromium_command_lines()
    given = [arg.split("=", 1)[1].split(",") for arg in line
             if arg.startswith("--disable-features=")]
    assert len(given) >= 2 and given[-1] == WITHOUT_FEATURES
    assert set().union(*map(set, given[:-1])) <= set(given[-1])
    new_page().set_content("<title>t</title>")
    session = browser.new_browser_cdp_session()
    try:
        targets = session.send("Target.getTargets")["targetInfos"]
    finally:
        session.detach()
    assert [t["url"] for t in targets if t["type"] == "browser_ui"] == []
