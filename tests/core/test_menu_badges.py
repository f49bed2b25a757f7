"""The menu's badges are counted in one statement, so every page pays once for all of them."""

import pytest

from schoolportal.core.hooks import count_all
from schoolportal.core.models import Group, Pupil
from tests.support.queries import QueryCounter, statements_for
from tests.support.web import ADMIN, PARENT, TEACHER, TWO_GROUP_PARENT


def test_count_all_counts_each_query_in_one_statement(db_ctx):
    queries = [Pupil.select().where(Pupil.first_name.startswith("S")),
               Group.select().order_by(Group.name), Pupil.select().where(Pupil.id < 0)]
    expected = [query.count() for query in queries]
    with QueryCounter() as counter:
        assert count_all(queries) == expected
    assert counter.count == 1
    assert count_all([]) == []


# What a page costs at most, the menu with its badges included (issue 22 asks 10 for all).
@pytest.mark.parametrize(("email", "url", "most"), [
    (PARENT, "/feed", 10), (PARENT, "/menu", 5), (PARENT, "/agenda", 7),
    (PARENT, "/afwezigheid", 9), (TWO_GROUP_PARENT, "/feed", 10),
    (TEACHER, "/feed", 10), (TEACHER, "/menu", 6), (ADMIN, "/menu", 6),
])
def test_pages_with_the_menu_stay_within_their_query_budget(login_as, email, url, most):
    client = login_as(email)
    client.get(url)  # the first visit may record a known device or a read
    assert statements_for(client, url) <= most


@pytest.mark.parametrize("email", [TEACHER, ADMIN])
def test_the_home_page_counts_its_cards_and_the_menu_together_with_the_same_badges(
        demo_school, login_as, email):
    """On the home page the menu's badges are counted with the cards' numbers: the menu shows
    the same badges there as on any other page (the demo school with all its content)."""
    import re

    client = login_as(email)

    def badges(url):
        html = client.get(url).get_data(as_text=True)
        nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
        return re.findall(r'<li><a href="([^"]+)"[^>]*>[^<]*(?:<span class="nav-badge">(\d+))?',
                          nav)

    assert badges("/") == badges("/menu")
    assert any(count for _href, count in badges("/")), "the demo gives staff a badge or two"
