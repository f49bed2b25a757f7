"""The demo feed makes sense on any day: nothing dated in the future, teachers write as
teachers, and the newsletter is named after the month it came out in."""

from datetime import date, datetime

import pytest

from schoolportal.core.database import write_transaction
from schoolportal.core.models import ROLE_PARENT, User
from schoolportal.feed import demo as feed_demo
from schoolportal.feed.models import Comment, Post

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


@pytest.mark.parametrize("now", [datetime(2026, 12, 4, 19, 0), datetime(2026, 12, 1, 7, 0),
                                 datetime(2027, 3, 2, 0, 30)])
def test_demo_posts_and_reactions_lie_in_the_past_and_fit_their_month(db_ctx, monkeypatch, now):
    monkeypatch.setattr(feed_demo, "utcnow", lambda: now)
    with write_transaction():
        feed_demo.seed(date(now.year, now.month, now.day))
    assert Post.select().count() > 3
    for post in Post.select():
        assert post.published_at <= now, post.title
        if post.kind == "newsletter":
            assert post.title == f"Nieuwsbrief {MONTHS[post.published_at.month - 1]}"
            assert "Sint-Maarten" not in post.body or post.published_at.month == 11
    comments = list(Comment.select(Comment, User).join(User, on=(Comment.author == User.id)))
    assert comments
    for comment in comments:
        assert comment.created_at <= now
        if comment.author.role != ROLE_PARENT:
            assert "mijn kind" not in comment.body.lower(), comment.body
