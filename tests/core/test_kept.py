"""What is built once and given again: paths (core/urls.py) and the menus (core/fragments.py).

Both keep their result under a key made of everything that shapes it; these tests check
that the kept result is the one building it anew gives, and that values which compare equal
but show differently, another language or other badges never get another's result.
"""

from flask import Flask

from schoolportal.core import fragments
from schoolportal.core.extensions import db
from schoolportal.core.models import User
from tests.support.web import OTHER_PARENT, PARENT, TEACHER, login


def test_kept_paths_are_the_paths_flask_builds(app):
    calls = [("feed.post", {"post_id": 7}), ("feed.index", {}), ("feed.index", {"group": "3"}),
             ("feed.index", {"page": 1}), ("feed.index", {"page": True}),
             ("feed.index", {"tags": ["a", "b"]}), ("spaces.group", {"group_id": 2}),
             ("feed.post", {"post_id": 7, "_anchor": "feed-comments"})]
    with app.test_request_context("/"):
        for endpoint, values in calls:
            for _ in range(2):  # built, then kept
                assert app.url_for(endpoint, **values) == Flask.url_for(app, endpoint, **values)
        assert app.url_for("feed.index", page=1) == "/feed?page=1"
        assert app.url_for("feed.index", page=True) == "/feed?page=True"  # 1 == True: not one key
        assert app.url_for("feed.post", post_id=7, _external=True).startswith("http://")


def test_static_links_are_not_kept(app):
    with app.test_request_context("/"):
        assert "?v=" in app.url_for("static", filename="css/app.css")
    assert not any(key[0] == "static" for key in app._paths)


def _menus(html):
    """The side menu and the tab bar of a page."""
    start = html.index('<nav class="site-nav"')
    return html[start:html.index("</nav>", start)], html[html.index('<nav id="webapp-tabs"'):]


def test_each_parent_gets_the_menu_of_their_own_groups_and_badges(app):
    pages = {}
    for email in (PARENT, OTHER_PARENT, PARENT):
        client = app.test_client()
        login(client, email)
        pages.setdefault(email, []).append(_menus(client.get("/").get_data(as_text=True)))
    jansen, bakker = pages[PARENT][0][0], pages[OTHER_PARENT][0][0]
    assert "Groep 1/2A" in jansen and "Groep 5" not in jansen
    assert "Groep 5" in bakker and "Groep 1/2A" not in bakker
    assert pages[PARENT][0] == pages[PARENT][1]


def test_a_kept_menu_is_the_menu_rendered_anew(app):
    client = app.test_client()
    login(client, TEACHER)
    kept = _menus(client.get("/feed").get_data(as_text=True))
    app.extensions["schoolportal.fragments"].clear()
    assert _menus(client.get("/feed").get_data(as_text=True)) == kept
    with app.app_context(), db.connection_context():  # another language: menus of its own
        User.update(language="en").where(User.email == TEACHER).execute()
    english = client.get("/feed").get_data(as_text=True)
    assert 'aria-label="Menu"' in english and "Nieuws" not in _menus(english)[0]


def test_values_that_are_equal_but_show_differently_are_not_one_key():
    assert fragments._frozen({"value": 1}) != fragments._frozen({"value": True})
    assert fragments._frozen({"value": 1}) != fragments._frozen({"value": "1"})
    assert fragments._frozen({"a": [1, "x"]}) == fragments._frozen({"a": (1, "x")})


def test_a_kept_date_text_follows_the_language_and_the_value(app):
    from datetime import date, datetime

    from flask_babel import force_locale

    from schoolportal.core.i18n import formatted

    with app.test_request_context("/"):
        moment = datetime(2026, 12, 5, 7, 30)  # UTC: 08:30 in Amsterdam
        for _ in range(2):  # worked out, then kept
            with force_locale("nl"):
                assert formatted(moment, "datetime_long") == "zaterdag 5 december 2026, 08:30"
                assert formatted(date(2026, 12, 5), "date_short") == "5 dec 2026"
            with force_locale("en"):
                assert formatted(moment, "datetime_long") == "Saturday 5 December 2026, 08:30"
        with force_locale("nl"):  # a datetime at midnight and its date are not one key
            assert formatted(datetime(2026, 12, 5), "time_short") == "01:00"
            assert formatted(date(2026, 12, 5), "date_long") == "zaterdag 5 december 2026"
