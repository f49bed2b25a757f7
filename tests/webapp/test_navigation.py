"""App-like navigation: the tab bar per role, the full menu under More, the "Vandaag" home."""

import re

import pytest

from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT, csrf_token_from

TABS = {
    PARENT: ["Start", "Nieuws", "Afwezig", "Agenda", "Meer"],
    TWO_GROUP_PARENT: ["Start", "Nieuws", "Afwezig", "Agenda", "Meer"],
    TEACHER: ["Start", "Nieuws", "Afwezig", "Berichten", "Meer"],
    ADMIN: ["Start", "Nieuws", "Afwezig", "Berichten", "Meer"],
}


def tab_labels(html):
    """The labels of the bottom tab bar, in order."""
    bar = re.search(r'<nav id="webapp-tabs".*?</nav>', html, re.S).group(0)
    return re.findall(r'<span class="tab-bar__label">([^<]+)</span>', bar)


@pytest.mark.parametrize("email", TABS)
def test_each_role_has_at_most_five_tabs_and_everything_under_more(login_as, email):
    client = login_as(email)
    html = client.get("/").get_data(as_text=True)
    assert tab_labels(html) == TABS[email]
    menu = client.get("/menu").get_data(as_text=True)
    assert tab_labels(menu)[-1] == "Meer"
    assert re.search(r'href="/menu" aria-current="page"', menu)
    side = re.search(r'<nav class="site-nav" id="site-nav".*?</nav>', html, re.S).group(0)
    main = menu[menu.index('<main'):menu.index('</main>')]
    for href in set(re.findall(r'href="([^"#]+)"', side)) - {"/"}:
        assert f'href="{href}"' in main, href  # every menu link is under "More"
    assert 'action="/logout"' in main


def test_the_tab_bar_and_more_are_plain_links_that_work_without_javascript(parent):
    html = parent.get("/").get_data(as_text=True)
    bar = re.search(r'<nav id="webapp-tabs".*?</nav>', html, re.S).group(0)
    assert "hx-" not in bar
    for href in re.findall(r'href="([^"]+)"', bar):
        assert parent.get(href).status_code == 200, href


def test_the_more_tab_counts_what_waits_elsewhere(parent):
    html = parent.get("/").get_data(as_text=True)
    bar = re.search(r'<nav id="webapp-tabs".*?</nav>', html, re.S).group(0)
    more = re.search(r'<a href="/menu".*?</a>', bar, re.S).group(0)
    menu = parent.get("/menu").get_data(as_text=True)
    waiting = sum(int(n) for n in re.findall(
        r'<span class="nav-badge">(\d+)', menu[menu.index("<main"):menu.index("</main>")]))
    tabs = sum(int(n) for n in re.findall(r'<span class="nav-badge">(\d+)', bar))
    shown = re.search(r'<span class="nav-badge">(\d+)', more)
    elsewhere = waiting - (tabs - (int(shown.group(1)) if shown else 0))
    assert (int(shown.group(1)) if shown else 0) == elsewhere


@pytest.mark.parametrize("email", TABS)
def test_no_placeholder_text_on_any_home(login_as, email):
    html = login_as(email).get("/").get_data(as_text=True)
    assert "Wat je hier straks vindt" not in html and "coming" not in html.lower()
    assert "<h1>Vandaag</h1>" in html


def test_a_parents_home_puts_what_asks_for_action_before_the_news(app, parent):
    html = parent.get("/").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert main.index("Afwezig melden") < main.index("Laatste nieuws")
    assert main.index("Toestemming beeldmateriaal") < main.index("Laatste nieuws")
    assert main.index("Laatste nieuws") < main.index("Je kinderen")


def test_a_teachers_home_starts_with_todays_absences_and_unread_messages(
        app, parent, teacher):
    page = parent.get("/conversations/new").get_data(as_text=True)
    recipient = re.search(r'<option value="([^"]+)">juf Sanne, leerkracht van Sem', page)
    assert recipient, "the parent can write to juf Sanne"
    sent = parent.post("/conversations/new", data={
        "csrf_token": csrf_token_from(page), "recipient": recipient.group(1),
        "subject": "Zwemles", "body": "Sem mag vandaag niet zwemmen."})
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:500]
    html = teacher.get("/").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert "Ongelezen berichten" in main and "Zwemles" in main
    assert main.index("Afwezig") < main.index("Ongelezen berichten")
    assert main.index("Ongelezen berichten") < main.index("Laatste nieuws")
