""""Gelezen en begrepen": staff ask on a post, parents tap "Gelezen" (plain form and htmx),
staff see who confirmed and remind the rest once a day; parents of other groups cannot."""

from schoolportal.core.models import OutboxMail, User, utcnow
from schoolportal.feed.models import Post
from schoolportal.slips.models import ReadConfirmation, ReadRequest
from tests.slips.support import group_1_2a
from tests.support.web import PARENT, TEACHER, csrf_token_from


def _post(ctx):
    """A published post of juf Sanne to Groep 1/2A."""
    return ctx(lambda: Post.create(author=User.by_email(TEACHER), group=group_1_2a(),
                                   title="Nieuwe ophaalregels", body="Het hek gaat om 8:15 open.",
                                   body_html="<p>Het hek gaat om 8:15 open.</p>",
                                   published_at=utcnow()).id)


def _token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_staff_ask_and_a_parent_confirms_without_javascript(app, teacher, parent, ctx):
    post_id = _post(ctx)
    url = f"/posts/{post_id}"
    assert "gelezen en begrepen" not in parent.get(url).get_data(as_text=True)
    asked = teacher.post(f"{url}/read-request", data={"csrf_token": _token(teacher, url)})
    assert asked.status_code == 302
    page = parent.get(url).get_data(as_text=True)
    assert "De school vraagt je te bevestigen" in page and "Gelezen en begrepen" in page
    done = parent.post(f"{url}/read", data={"csrf_token": _token(parent, url)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Je hebt bevestigd dat je dit bericht gelezen en begrepen hebt." in done
    staff_view = teacher.get(url).get_data(as_text=True)
    total = ctx(lambda: len({g.guardian_id for p in group_1_2a().pupils
                             for g in p.guardianships}))
    assert f"1 van {total} ouders hebben bevestigd" in staff_view
    assert "Eva Jansen" in staff_view
    # Tapping twice changes nothing.
    parent.post(f"{url}/read", data={"csrf_token": _token(parent, url)})
    assert ctx(lambda: ReadConfirmation.select().count()) == 1


def test_gelezen_with_htmx_answers_with_the_fragment(app, teacher, parent, ctx):
    post_id = _post(ctx)
    ctx(lambda: ReadRequest.create(post=post_id, requested_by=User.by_email(TEACHER)))
    url = f"/posts/{post_id}"
    response = parent.post(f"{url}/read", data={"csrf_token": _token(parent, url)},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="slips-read"' in html and "HX-Request" in response.headers["Vary"]


def test_staff_remind_who_did_not_confirm_once_a_day(app, teacher, ctx):
    post_id = _post(ctx)
    ctx(lambda: ReadRequest.create(post=post_id, requested_by=User.by_email(TEACHER)))
    ctx(lambda: ReadConfirmation.create(post=post_id, account=User.by_email(PARENT)))
    url = f"/posts/{post_id}"
    first = teacher.post(f"{url}/read-remind", data={"csrf_token": _token(teacher, url)},
                         follow_redirects=True).get_data(as_text=True)
    assert "Er is een herinnering gestuurd naar" in first
    second = teacher.post(f"{url}/read-remind", data={"csrf_token": _token(teacher, url)},
                          follow_redirects=True).get_data(as_text=True)
    assert "Niemand om te herinneren" in second
    mailed = ctx(lambda: [m.to_email for m in OutboxMail.select().where(
        OutboxMail.template == "slips/read_reminder")])
    assert mailed and PARENT not in mailed and len(mailed) == len(set(mailed))


def test_other_groups_cannot_confirm_or_follow(app, other_parent, login_as, parent, ctx):
    post_id = _post(ctx)
    url = f"/posts/{post_id}"
    # Without a request there is nothing to confirm, even for a parent of the group.
    assert parent.post(f"{url}/read", data={"csrf_token": _token(parent, "/account")}
                       ).status_code == 404
    ctx(lambda: ReadRequest.create(post=post_id, requested_by=User.by_email(TEACHER)))
    ahmed = login_as("meester.ahmed@example.org")
    token = _token(other_parent, "/account")
    assert other_parent.post(f"{url}/read", data={"csrf_token": token}).status_code == 404
    token = _token(ahmed, "/account")
    for action in ("read-remind", "read-request", "read-request/stop"):
        assert ahmed.post(f"{url}/{action}", data={"csrf_token": token}).status_code == 404
    token = _token(parent, "/account")
    assert parent.post(f"{url}/read-remind", data={"csrf_token": token}).status_code == 403
    assert ctx(lambda: ReadConfirmation.select().count()) == 0
    assert ctx(lambda: ReadRequest.select().count()) == 1
