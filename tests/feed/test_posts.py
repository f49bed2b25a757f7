"""Posts without HTTP: safe Markdown, publishing, scheduling, mails, the digest, read receipts."""

import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from schoolportal.core import richtext
from schoolportal.core.database import write_transaction
from schoolportal.core.extensions import db
from schoolportal.core.models import MAIL_PENDING, Group, OutboxMail, User, utcnow
from schoolportal.feed import comments, demo, policy, posts, timeline
from schoolportal.feed import models as feed_models
from schoolportal.feed.models import Comment, Post, PostAttachment, PostMail, PostRead
from tests.support.web import ADMIN, OTHER_PARENT, PARENT, TEACHER, TWO_GROUP_PARENT, run_worker

HOSTILE_MARKDOWN = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="/groups/1" hx-get="/account" hx-trigger="load">x</a>',
    '<div hx-post="/logout" hx-trigger="load"></div>',
    "![foto](https://tracker.example/pixel.png)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '[x](https://ok.example "title" onclick="alert(1)")',
]


def publish(author_email, group_name=None, title="Bericht", body="Tekst", when="now", **flags):
    """Create a post as a demo member of staff; returns its id (call inside an app context)."""
    author = User.by_email(author_email)
    group = Group.get(Group.name == group_name) if group_name else None
    moment = {"now": utcnow(), "draft": None}.get(when, when)
    content = posts.PostContent(title=title, body=body, **flags)
    return posts.create_posts(author, [group], content, publish_at=moment)[0].id


def mails_to(email):
    """Queued mails for one address, oldest first."""
    return list(OutboxMail.select().where(OutboxMail.to_email == email).order_by(OutboxMail.id))


def set_preference(email, choice):
    """Set a demo account's mail choice."""
    User.update(mail_notifications=choice).where(User.email == email).execute()


class _Tags(HTMLParser):
    """The start tags and attributes of some HTML."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html):
    """Only harmless tags, no event handlers or htmx attributes, only web and mail links."""
    for tag, attrs in _Tags(html).found:
        assert tag in richtext.TAGS, html
        assert set(attrs) <= {"href", "title", "rel", "start"}, html
        if "href" in attrs:
            assert attrs["href"].split(":")[0] in ("http", "https", "mailto"), html


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_hostile_markdown_renders_inert(text):
    assert_inert(richtext.to_html(text))


def test_markdown_keeps_what_staff_need():
    html = richtext.to_html("# Uitje\n\nWe gaan **vrijdag** naar [het bos](https://bos.example).\n\n"
                            "- laarzen\n- regenjas")
    assert "<h3>Uitje</h3>" in html  # below the post's own h2
    assert "<strong>vrijdag</strong>" in html and "<li>laarzen</li>" in html
    assert '<a href="https://bos.example" rel="noopener noreferrer nofollow">het bos</a>' in html


def test_posting_to_several_groups_makes_one_post_per_group(db_ctx):
    admin = User.by_email(ADMIN)
    groups = list(Group.select().where(Group.name.in_(["Groep 1/2A", "Groep 5"])))
    created = posts.create_posts(admin, groups, posts.PostContent("Hoofdluis", "Controleer"),
                                 publish_at=utcnow())
    assert sorted(p.group_id for p in created) == sorted(g.id for g in groups)
    # A parent with a child in both groups gets one mail, not two.
    assert len(mails_to(TWO_GROUP_PARENT)) == 1


def test_a_new_post_mails_parents_who_want_it_at_once(db_ctx):
    set_preference(OTHER_PARENT, "daily")
    with write_transaction():
        publish(TEACHER, "Groep 1/2A", title="Schoolreis")
    [mail] = mails_to(PARENT)
    assert mail.subject == "Nieuw in Groep 1/2A: Schoolreis"
    assert "Schoolreis" in mail.body_text and "/posts/" in mail.body_text
    assert mails_to(OTHER_PARENT) == []  # another group
    # Nobody without an activated account, and no staff, gets it.
    assert not OutboxMail.select().where(OutboxMail.to_email == TEACHER).exists()


def test_preferences_daily_and_never_get_no_mail_at_once(db_ctx):
    set_preference(PARENT, "never")
    set_preference(TWO_GROUP_PARENT, "daily")
    publish(TEACHER, "Groep 1/2A")
    assert mails_to(PARENT) == [] and mails_to(TWO_GROUP_PARENT) == []


def test_urgent_posts_go_at_once_to_every_parent(db_ctx):
    set_preference(PARENT, "never")
    set_preference(OTHER_PARENT, "daily")
    publish(ADMIN, None, title="School dicht", urgent=True)
    assert mails_to(PARENT)[0].subject == "Dringend: School dicht"
    assert len(mails_to(OTHER_PARENT)) == 1


def test_a_draft_mails_nobody_and_no_parent_sees_it(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A", when="draft")
    assert mails_to(PARENT) == []
    parent = User.by_email(PARENT)
    assert timeline.feed_page(parent)[0] == []
    assert Post.get_by_id(post_id).published_at is None


def test_scheduled_post_mails_wait_for_the_publication_time(app, db_ctx, smtp_server):
    later = utcnow() + timedelta(hours=2)
    post_id = publish(TEACHER, "Groep 1/2A", title="Straks", when=later)
    [mail] = mails_to(PARENT)
    assert mail.next_attempt_at == later
    assert PostMail.select().where(PostMail.post == post_id).count() >= 1
    run_worker(app)
    assert smtp_server.to(PARENT) == []  # not yet due
    assert timeline.feed_page(User.by_email(PARENT))[0] == []  # not yet visible


def test_changing_a_scheduled_post_replaces_its_queued_mails(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A", title="Eerst", when=utcnow() + timedelta(hours=2))
    post = Post.get_by_id(post_id)
    posts.update_post(post, posts.PostContent("Daarna", "Nieuwe tekst"), publish_at=None,
                      schedule=True)  # back to a draft
    assert mails_to(PARENT) == []
    post = Post.get_by_id(post_id)
    posts.update_post(post, posts.PostContent("Nu", "Tekst"), publish_at=utcnow(),
                      schedule=True)
    [mail] = mails_to(PARENT)
    assert mail.subject.endswith(": Nu") and mail.status == MAIL_PENDING
    assert Post.get_by_id(post_id).edited_at is None  # never seen before: not "edited"


def test_deleting_a_scheduled_post_withdraws_its_mails(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A", when=utcnow() + timedelta(hours=2))
    posts.delete_post(Post.get_by_id(post_id))
    assert mails_to(PARENT) == []


def test_editing_a_published_post_marks_it_edited(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A", title="Oud")
    before = len(mails_to(PARENT))
    post = Post.get_by_id(post_id)
    posts.update_post(post, posts.PostContent("Oud", "Tekst", pinned=True))
    assert Post.get_by_id(post_id).edited_at is None  # pinning is not an edit of the text
    posts.update_post(Post.get_by_id(post_id), posts.PostContent("Nieuw", "Tekst"))
    assert Post.get_by_id(post_id).edited_at is not None
    assert len(mails_to(PARENT)) == before  # an edit does not mail again


def test_daily_digest_sends_one_mail_with_the_days_posts(app, smtp_server):
    with app.app_context(), db.connection_context():
        set_preference(PARENT, "daily")
        publish(TEACHER, "Groep 1/2A", title="Knutselen")
        publish(ADMIN, None, title="Nieuwsbrief")
        publish(ADMIN, None, title="Brand", urgent=True)
        publish(TEACHER, "Groep 1/2A", title="Concept", when="draft")
        OutboxMail.delete().execute()  # only the digest counts here
    output = run_worker(app)
    assert "feed-digest" in output
    [message] = smtp_server.to(PARENT)
    text = message.get_body(("plain",)).get_content()
    assert "Knutselen" in text and "Nieuwsbrief" in text
    assert "Brand" not in text and "Concept" not in text  # urgent went at once; drafts wait
    assert message["Subject"] == "Nieuws van OBS De Regenboog"


def test_digest_sends_each_post_once(db_ctx):
    set_preference(PARENT, "daily")
    publish(TEACHER, "Groep 1/2A")
    OutboxMail.delete().execute()
    assert posts.send_daily_digest() >= 1
    assert posts.send_daily_digest() == 0
    assert len(mails_to(PARENT)) == 1


def test_read_receipts_count_intended_parents(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A")
    teacher = User.by_email(TEACHER)
    condition = policy.read_stats_condition(teacher)
    read, total = posts.read_counts(condition, [post_id])[post_id]
    assert read == 0 and total >= 20  # every guardian of Groep 1/2A with an account
    posts.record_reads(User.by_email(PARENT), [post_id])
    posts.record_reads(User.by_email(PARENT), [post_id])  # twice counts once
    posts.record_reads(User.by_email(OTHER_PARENT), [post_id])  # not an intended parent
    posts.record_reads(teacher, [post_id])  # staff are not counted
    assert posts.read_counts(condition, [post_id])[post_id] == (1, total)
    readers, not_yet = posts.readers_of(Post.get_by_id(post_id))
    assert [user.email for user, _children, _at in readers] == [PARENT]
    assert ["Sem"] in [children for _user, children, _at in readers]
    assert len(not_yet) == total - 1


def test_parents_see_no_read_counts(db_ctx):
    post_id = publish(TEACHER, "Groep 1/2A")
    condition = policy.read_stats_condition(User.by_email(PARENT))
    assert posts.read_counts(condition, [post_id]) == {}


def test_reactions_are_hidden_once_and_keep_who_and_when(db_ctx):
    post = Post.get_by_id(publish(TEACHER, "Groep 1/2A"))
    comment = comments.add_comment(post, User.by_email(PARENT), "  Leuk!  ")
    assert comment.body == "Leuk!"
    teacher, admin = User.by_email(TEACHER), User.by_email(ADMIN)
    assert comments.hide_comment(comment, teacher)
    assert not comments.hide_comment(comment, admin)  # the first hide counts
    hidden = Comment.get_by_id(comment.id)
    assert hidden.hidden_by_id == teacher.id and hidden.hidden_at is not None


def test_house_rules_start_from_the_defaults_and_keep_versions(db_ctx):
    assert "respect" in comments.house_rules().body_html.lower()
    admin = User.by_email(ADMIN)
    comments.save_house_rules("1. Wees aardig", admin)
    comments.save_house_rules("1. Wees heel aardig", admin)
    assert "heel aardig" in comments.house_rules().body_html
    assert feed_models.CommentRules.select().count() == 2


def test_stored_files_are_shared_and_deleted_with_the_last_post(db_ctx):
    class Upload:
        filename = "brief.pdf"
        stream = io.BytesIO(b"%PDF-1.4 brief")

    [stored] = posts.store_files([Upload()])
    admin = User.by_email(ADMIN)
    groups = list(Group.select().limit(2))
    first, second = posts.create_posts(admin, groups, posts.PostContent("a", "b"), [stored],
                                       publish_at=utcnow())
    path = posts.media.path_of(posts.MEDIA_AREA, stored.name)
    posts.delete_post(first)
    assert path.is_file()  # the other copy still uses it
    posts.delete_post(second)
    assert not path.is_file()
    assert PostAttachment.select().count() == 0


def test_demo_adds_posts_in_every_group_once(db_ctx):
    demo.seed(None)
    demo.seed(None)
    groups_with_posts = {p.group_id for p in Post.select()}
    assert None in groups_with_posts
    assert {g.id for g in Group.select()} <= groups_with_posts
    assert Comment.select().count() >= 6 and PostAttachment.select().count() == 1
    assert OutboxMail.select().count() == 0  # seeding mails nobody
    assert PostRead.select().count() > 0
