"""The authorization and CSRF walks: every route, real objects of every type, nothing changes.

One real object of every type in `authz.FINDERS` (the registry each area's policy fills) is
made for Groep 1/2A by tests/support/objects.py. Then every GET and every POST route, with
its ids pointing at those objects, is requested as ouder.bakker (a parent of Groep 5),
meester.ahmed (the teacher of Groep 5) and logged out: only 403, 404 or the login page,
nothing of Groep 1/2A on a page, and not one row of any table changed by the POSTs. The CSRF
walk posts to every route without a token: 400, and nothing changed.
"""

import hashlib

import pytest
from werkzeug.exceptions import HTTPException

from schoolportal import authz
from schoolportal.core.clock import school_today
from schoolportal.core.extensions import db
from schoolportal.core.models import Group, Pupil, User
from tests.support import objects
from tests.support.web import ADMIN, OTHER_PARENT, OTHER_TEACHER, PARENT, TEACHER, csrf_token_from

WALKERS = {"ouder.bakker": OTHER_PARENT, "meester.ahmed": OTHER_TEACHER, "logged out": None}

# POST routes without an object in the URL that act only on the requester's own account or
# session; they cannot reach Groep 1/2A and are left out of the POST walk (each has its own
# tests). Every other route is walked.
OWN_ACCOUNT_POSTS = {
    "auth.logout": "ends the walker's own session",
    "account.settings_submit": "the walker's own settings",
    "account.photo_remove": "the walker's own profile photo",
    "family_data.export_mine": "queues the walker's own family export",
    "calendar.new_feed": "a new private calendar link for the walker",
    "calendar.stop_feed": "stops the walker's own calendar link",
    "conversations.directory_settings_submit": "the walker's own directory entry",
    "conversations.office_hours_submit": "the walker's own office hours",
    "account.passkey_options": "a challenge to add a passkey to the walker's own account",
    "account.app_start": "starts the walker's own authenticator app",
    "account.app_remove": "removes the walker's own authenticator app",
    "account.app_confirm": "confirms the walker's own authenticator app",
    "account.new_recovery_codes": "new recovery codes for the walker's own account",
}


def _run(app, function, *args):
    """Run a function with an app context and a database connection."""
    with app.app_context(), db.connection_context():
        return function(*args)


@pytest.fixture
def walk_objects(app):
    """{kind: id} of one real object of every type, all of Groep 1/2A."""
    return _run(app, objects.make_all)


@pytest.fixture
def walkers(app, login_as):
    """A client per walker (logged in, or not), with a CSRF token of its own session."""
    clients = {}
    for name, email in WALKERS.items():
        client = login_as(email) if email else app.test_client()
        page = client.get("/account" if email else "/login").get_data(as_text=True)
        clients[name] = (client, csrf_token_from(page))
    return clients


def fingerprint():
    """A hash of every row of every table: one changed cell changes it."""
    prints = {}
    for table in sorted(db.get_tables()):
        rows = db.execute_sql(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608 (our names)
        prints[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return prints


def _kind_of(rule, argument):
    """The object kind a URL argument names (per blueprint where names are shared)."""
    kind = objects.ARGUMENT_KINDS.get(argument)
    if isinstance(kind, dict):
        kind = kind.get(rule.endpoint.split(".")[0])
    return kind


def routes(app, ids, method):
    """(endpoint, url, aimed) for every non-public route of the method, ids filled in.

    `aimed` says whether the URL names an object of Groep 1/2A. A URL argument that names
    no known kind, or a kind without an object, fails with what to add and where.
    """
    found, missing = [], []
    today = school_today()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if method not in rule.methods or authz.rule_of(rule.endpoint, app) == authz.PUBLIC:
            continue
        values, aimed = {}, False
        for argument in sorted(rule.arguments):
            if argument in objects.PLAIN_ARGUMENTS:
                values[argument] = objects.PLAIN_ARGUMENTS[argument](today)
                continue
            kind = _kind_of(rule, argument)
            if kind is None:
                missing.append(
                    f"{method} {rule.rule} ({rule.endpoint}): the URL argument {argument!r} "
                    "names no object kind. Add it to ARGUMENT_KINDS in tests/support/objects.py"
                    " (or to PLAIN_ARGUMENTS when it is not an object).")
            elif kind not in ids:
                missing.append(
                    f"{method} {rule.rule} ({rule.endpoint}): no walk object of kind {kind!r}. "
                    "Add a `@maker(...)` for it in tests/support/objects.py.")
            else:
                values[argument], aimed = ids[kind], True
        if len(values) == len(rule.arguments):
            query = objects.QUERIES.get(rule.endpoint, lambda ids: {})(ids)
            found.append((rule.endpoint, rule.build({**values, **query})[1], aimed))
    assert not missing, "The walk cannot reach every route:\n" + "\n".join(missing)
    return found


def _is_refusal(response):
    """403, 404 or the login page (a redirect there, or 401 for a form post)."""
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _secrets_of_group_1_2a(app):
    """Texts that only someone of Groep 1/2A may read: its pupils' names and the walk objects."""
    def read():
        group = Group.get(Group.name == "Groep 1/2A")
        return [p.full_name for p in Pupil.select().where(Pupil.group == group)]

    return [*_run(app, read), "Walk:", "Sem is moe", "Leuk, Sem!", "Bruiloft oma"]


# --- every object type joins the walk ----------------------------------------------------

def test_every_object_type_in_the_policies_has_a_walk_object(app, walk_objects):
    missing = sorted(set(authz.FINDERS) - set(walk_objects))
    assert not missing, (
        f"object kinds without a walk object: {missing}. Add a `@maker(kind)` that makes one "
        "of Groep 1/2A in tests/support/objects.py")


def test_every_walk_object_is_real_and_reachable_by_its_owners(app, walk_objects):
    people = [ADMIN, TEACHER, PARENT]
    unreachable = []
    with app.test_request_context(), db.connection_context():
        for kind, finder in authz.FINDERS.items():
            found = False
            for email in people:
                try:
                    finder.find(User.by_email(email), walk_objects[kind])
                except HTTPException:
                    continue
                found = True
            if not found:
                unreachable.append(kind)
    assert unreachable == [], f"no owner reaches these walk objects: {unreachable}"


def test_the_walk_urls_reach_real_objects(app, login_as, walk_objects):
    # Without this, ids pointing nowhere would make every 404 below meaningless.
    owners = [login_as(email) for email in (ADMIN, TEACHER, PARENT)]
    dead = []
    for endpoint, url, aimed in routes(app, walk_objects, "GET"):
        if aimed and all(o.get(url).status_code in (403, 404) for o in owners):
            dead.append(f"{url} ({endpoint})")
    # Files the walk makes no bytes for: their rows are real, their files are not. Mail
    # bodies are readable only when mail stays inside the portal (MAIL_BACKEND=portal).
    unreachable = {"albums.image", "albums.download", "feed.attachment",
                   "conversations.attachment", "coaching.download", "coaching.footage",
                   "admin.mail_html"}
    dead = [line for line in dead if line.split("(")[1][:-1] not in unreachable]
    assert dead == [], "no owner reaches these URLs:\n" + "\n".join(dead)


# --- the walks -----------------------------------------------------------------------------

@pytest.mark.parametrize("walker", list(WALKERS))
def test_get_walk_finds_nothing_of_group_1_2a(app, walkers, walk_objects, walker):
    client, _token = walkers[walker]
    secrets = _secrets_of_group_1_2a(app)
    wrong = []
    for endpoint, url, aimed in routes(app, walk_objects, "GET"):
        response = client.get(url)
        if aimed or WALKERS[walker] is None:
            if not _is_refusal(response):
                wrong.append(f"{url} ({endpoint}): {response.status_code}")
            continue
        assert response.status_code < 500, url
        html = response.get_data(as_text=True)
        leaked = [text for text in secrets if text in html]
        if leaked:
            wrong.append(f"{url} ({endpoint}) shows {leaked}")
    assert wrong == [], f"{walker} reached Groep 1/2A:\n" + "\n".join(wrong)


def _form_aimed_at(ids):
    """Form fields naming objects of Groep 1/2A, for routes without an id in the URL."""
    return {
        "pupil": ids["pupil"], "pupil_id": ids["pupil"], "first_pupil": ids["pupil"],
        "second_pupil": ids["pupil"], "slot": ids["meeting_slot"],
        "first_slot": ids["meeting_slot"], "second_slot": ids["meeting_slot"],
        "group": ids["group"], "groups": ids["group"], "space": ids["group"],
        "audience": ids["group"], "teacher": ids["staff_account"],
        "recipient": ids["staff_account"], "who": f"{ids['pupil']}:0",
        "key": "x", "day_part": "whole", "reason": "sick", "starts_on": school_today().isoformat(),
        "title": "Walk: post", "body": "Walk: body",
    }


@pytest.mark.parametrize("walker", list(WALKERS))
def test_post_walk_changes_nothing(app, walkers, walk_objects, walker):
    client, token = walkers[walker]
    form = {**_form_aimed_at(walk_objects), "csrf_token": token}
    before = _run(app, fingerprint)
    wrong = []
    for endpoint, url, aimed in routes(app, walk_objects, "POST"):
        if endpoint in OWN_ACCOUNT_POSTS and WALKERS[walker] is not None:
            continue
        response = client.post(url, data=form)
        refused = _is_refusal(response) or (not aimed and response.status_code in (400, 422))
        if not refused:
            wrong.append(f"POST {url} ({endpoint}): {response.status_code}")
    after = _run(app, fingerprint)
    changed = [table for table in before if before[table] != after.get(table)]
    assert wrong == [], f"{walker} was not refused:\n" + "\n".join(wrong)
    assert changed == [], f"{walker}'s POSTs changed these tables: {changed}"


@pytest.mark.parametrize("walker", ["admin", "logged out"])
def test_csrf_walk_every_post_without_a_token_is_400(app, login_as, walk_objects, walker):
    client = login_as(ADMIN) if walker == "admin" else app.test_client()
    form = _form_aimed_at(walk_objects)
    before = _run(app, fingerprint)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods:
            continue
        for endpoint, url, _aimed in _one_route(app, rule, walk_objects):
            response = client.post(url, data=form)
            if response.status_code != 400:
                wrong.append(f"POST {url} ({endpoint}): {response.status_code}")
    after = _run(app, fingerprint)
    changed = [table for table in before if before[table] != after.get(table)]
    assert wrong == [], "POST without a CSRF token was not refused:\n" + "\n".join(wrong)
    assert changed == [], f"POSTs without a CSRF token changed these tables: {changed}"


def _one_route(app, rule, ids):
    """The route of one rule with its ids filled in (public routes too: CSRF covers all)."""
    values = {}
    today = school_today()
    for argument in rule.arguments:
        if argument in objects.PLAIN_ARGUMENTS:
            values[argument] = objects.PLAIN_ARGUMENTS[argument](today)
        elif argument == "token":
            values[argument] = "a-token-from-a-mail"
        else:
            kind = _kind_of(rule, argument)
            assert kind in ids, f"{rule.rule}: add {argument!r} to tests/support/objects.py"
            values[argument] = ids[kind]
    return [(rule.endpoint, rule.build(values)[1], True)]


def test_a_route_the_walk_cannot_fill_fails_with_what_to_add(own_app, monkeypatch):
    from flask import Blueprint

    bp = Blueprint("lunchbox", __name__)

    @bp.get("/lunchboxes/<int:lunchbox_id>")
    @authz.signed_in
    def lunchbox(lunchbox_id):
        return "a lunchbox"

    own_app.register_blueprint(bp)
    every_kind = {kind: 1 for kind in objects.MAKERS}
    with pytest.raises(AssertionError, match=r"'lunchbox_id'.*ARGUMENT_KINDS"):
        routes(own_app, every_kind, "GET")
    monkeypatch.setitem(objects.ARGUMENT_KINDS, "lunchbox_id", "lunchbox")
    with pytest.raises(AssertionError, match=r"kind 'lunchbox'.*@maker"):
        routes(own_app, every_kind, "GET")
