"""Where the feed shows up outside its own pages: the menu badge and the home card."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from schoolportal.albums import policy as albums_policy
from schoolportal.albums import post_photos
from schoolportal.core.hooks import HomePanel, NavItem, Rows
from schoolportal.core.models import ROLES, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.feed import policy
from schoolportal.feed.models import Post, PostRead

BADGE_DAYS = 14
HOME_POSTS = 3


def unread_posts(user):
    """The menu's badge: posts of the last two weeks this user has not opened (a query;
    prepared when the policy gives the user's groups as a list: every page's menu counts
    it)."""
    now = utcnow()
    since = now - timedelta(days=BADGE_DAYS)
    groups = policy.post_groups(user)
    if isinstance(groups, list):
        return _unread_in_groups(user.id, groups, since, now)
    return _unread(policy.visible_posts(user), user.id, since)


def _unread(posts, user_id, since):
    seen = PostRead.select(PostRead.post).where(PostRead.user == user_id)
    return posts.select(Post.id).where((Post.published_at > since) & Post.id.not_in(seen))


@prepared
def _unread_in_groups(user_id, group_ids, since, now):
    return _unread(policy.posts_of_groups(group_ids, now), user_id, since)


def latest_news(user):
    """The newest posts on the home page, each with its first picture, and a link to the feed
    (read with the other cards). Prepared when both policies give the user's groups as a
    list (parents)."""
    posts, albums = policy.post_groups(user), albums_policy.opened_album_groups(user)
    held_back_hidden = albums_policy.hides_held_back(user)
    if isinstance(posts, list) and isinstance(albums, list) and held_back_hidden:
        latest = _latest_seen_by_parent(posts, albums, utcnow())
    else:
        latest = post_photos.first_photo_query(user, _latest(policy.visible_posts(user)))
    return {"posts": Rows(latest, then=post_photos.first_photo_pairs)}


def _latest(posts):
    return (posts.select(Post.id, Post.title, Post.published_at, Post.urgent, Post.group)
            .order_by(Post.published_at.desc(), Post.id.desc()).limit(HOME_POSTS))


@prepared
def _latest_seen_by_parent(post_group_ids, album_group_ids, now):
    return post_photos.first_photo_query_of(
        album_group_ids, True, _latest(policy.posts_of_groups(post_group_ids, now)))


def _news_card(values):
    latest = values["posts"]
    return {"posts": [post for post, _ in latest],
            "pictures": {post.id: pictures for post, pictures in latest if pictures}}


NAV_ITEMS = (NavItem("feed.index", _l("News"), order=10, badge=unread_posts,
                     tab_roles=ROLES, icon="news"),)
HOME_PANELS = (HomePanel(ROLES, "partials/feed/home.html", 10, latest_news, _news_card),)
