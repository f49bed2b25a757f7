"""The feed: a page of posts with their latest reactions, pictures, files and read receipts.

However many posts and reactions a page shows, it costs a fixed number of queries: the
posts (with author, group, whether this user read them and whether they have files or
photos), the latest reactions of all of them (with their authors and those authors'
children in the post's group), the attachments and the first photos (only when a post on
the page has them), the read counts (staff only), and one insert for the newly read posts.
Pages follow each other by a cursor (pinned, published at, id), so a post published while
someone scrolls does not push a post onto the next page twice.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from peewee import JOIN, SQL, fn

from schoolportal.albums import post_photos
from schoolportal.albums.models import Album
from schoolportal.core import clock
from schoolportal.core.models import Group, Guardianship, Pupil, User, utcnow
from schoolportal.core.prepared import prepared
from schoolportal.core.together import Rows, read_together
from schoolportal.feed import policy, posts
from schoolportal.feed.models import Comment, Post, PostAttachment, PostRead

POST_COLUMNS = [getattr(Post, name) for name in Post._meta.sorted_field_names]
AUTHOR_COLUMNS = [User.id, User.display_name, User.role, User.photo]
COMMENT_COLUMNS = [Comment.id, Comment.post, Comment.body, Comment.created_at, Comment.hidden_at,
                   Comment.hidden_by]
PAGE_SIZE = 20
COMMENTS_SHOWN = 2
FOLD_CHARACTERS = 600  # a longer text folds in the feed, with "Read more"
FOLD_LINES = 12
CURSOR = re.compile(r"([01])\.(\d{20})\.(\d{1,10})")
CURSOR_TIME = "%Y%m%d%H%M%S%f"


@dataclass
class FeedItem:
    """One post as the feed shows it."""

    post: Post
    is_new: bool
    comments: list = field(default_factory=list)  # the latest ones, oldest first
    comment_count: int = 0
    attachments: list = field(default_factory=list)
    reads: tuple | None = None  # (read, intended) for staff who may see it
    may_comment: bool = False
    photos: object = None  # albums.post_photos.PostPhotos, or None without photos

    @property
    def is_long(self):
        """True for a text that folds in the feed ("Read more" opens the post)."""
        body = self.post.body or ""
        return len(body) > FOLD_CHARACTERS or body.count("\n") > FOLD_LINES


def make_cursor(post):
    """The cursor that asks for the posts after this one."""
    return f"{int(post.pinned)}.{post.published_at.strftime(CURSOR_TIME)}.{post.id}"


def parse_cursor(text):
    """(pinned, published_at, id) from a cursor, or None when it is not one of ours."""
    match = CURSOR.fullmatch(text or "")
    if not match:
        return None
    try:
        moment = datetime.strptime(match.group(2), CURSOR_TIME)
    except ValueError:
        return None
    return bool(int(match.group(1))), moment, int(match.group(3))


def _after(cursor):
    """Posts that come after the cursor in the order: pinned first, then newest first."""
    pinned, moment, post_id = cursor
    same_time_older = (Post.published_at == moment) & (Post.id < post_id)
    later = (Post.published_at < moment) | same_time_older
    return (Post.pinned < pinned) | ((Post.pinned == pinned) & later)


def feed_page(user, group_id=None, school_only=False, cursor=None, limit=PAGE_SIZE):
    """(items, next cursor or None) for this user, optionally for one group or school-wide."""
    shape = (group_id is not None, school_only, cursor is not None)
    extra = [*([group_id] if group_id is not None else []), *(cursor or ())]
    groups = policy.post_groups(user)
    if isinstance(groups, list):  # the policy gives the groups as a list: prepared
        query = _page_in_groups(shape)(groups, utcnow(), user.id, limit + 1, *extra)
    else:
        query = _page(_filtered(policy.visible_posts(user), shape, extra), user.id, limit + 1)
    rows = [_post_from_row(row) for row in query]
    more = len(rows) > limit
    rows = rows[:limit]
    items = build_items(user, rows, COMMENTS_SHOWN)
    return items, (make_cursor(rows[-1]) if more and rows else None)


def _filtered(posts, shape, extra):
    """The posts of one group, school-wide ones only, after a cursor: as `shape` says
    (by group, school only, after a cursor), with `extra` the group id and the cursor's
    three parts as far as the shape needs them."""
    by_group, school_only, after = shape
    extra = list(extra)
    if by_group:
        posts = posts.where(Post.group == extra.pop(0))
    if school_only:
        posts = posts.where(Post.group.is_null())
    if after:
        posts = posts.where(_after(tuple(extra[:3])))
    return posts


def _page(posts, user_id, rows_wanted):
    """The page's query (tuples, see _post_from_row) of these posts."""
    mine = PostRead.alias("mine")
    # Whether a post has files or photos comes with the post, so a page without any
    # asks nothing more about them.
    columns = [*POST_COLUMNS, *AUTHOR_COLUMNS, Group.name, mine.read_at, *has_files_and_photos()]
    return (
        posts.select(*columns)
        .join(User, on=(Post.author == User.id))
        .switch(Post).join(Group, JOIN.LEFT_OUTER, on=(Post.group == Group.id))
        .switch(Post).join(mine, JOIN.LEFT_OUTER, on=(
            (mine.post == Post.id) & (mine.user == user_id)))
        .order_by(Post.pinned.desc(), Post.published_at.desc(), Post.id.desc())
        .limit(rows_wanted)
        .tuples())


_PAGES = {}  # shape -> the prepared page query of that shape


def _page_in_groups(shape):
    """The prepared `_page` of posts in these groups (policy.posts_of_groups), one per
    shape of `_filtered`."""
    found = _PAGES.get(shape)
    if found is None:
        def page_in_groups(group_ids, now, user_id, rows_wanted, *extra):
            posts = _filtered(policy.posts_of_groups(group_ids, now), shape, extra)
            return _page(posts, user_id, rows_wanted)

        found = _PAGES[shape] = prepared(page_in_groups)
    return found


def has_files_and_photos():
    """Columns saying whether a post has files and photos (an album of its own), so a page
    of posts without any asks nothing more about them (build_items reads them)."""
    return [fn.EXISTS(PostAttachment.select(SQL("1")).where(PostAttachment.post == Post.id))
            .alias("has_files"),
            fn.EXISTS(Album.select(SQL("1")).where(Album.post == Post.id)).alias("has_photos")]


def build_items(user, post_rows, comments_shown, reads=None):
    """FeedItems for posts already loaded (with author and group), and mark them read.

    `reads` ({post id: (read, intended)}) when the caller counted them already (the post
    page, from its list of readers); else staff get them counted here."""
    ids = [post.id for post in post_rows]
    with_files = [post.id for post in post_rows if getattr(post, "has_files", True)]
    with_photos = [post.id for post in post_rows if getattr(post, "has_photos", True)]
    # The posts' comments, files, read counts and photos: one statement (core.together)
    wanted = {}
    if ids:
        wanted["comments"] = Rows(_comments(user, ids, comments_shown), then=comments_from)
    if with_files:
        wanted["files"] = Rows(_files_of(with_files))
    if reads is None and not user.is_parent and ids:
        wanted["reads"] = Rows(posts.read_counts_query(policy.read_stats_condition(user), ids),
                               then=posts.read_counts_from)
    if with_photos:
        wanted["pictures"] = Rows(post_photos.first_photos_query(user, with_photos),
                                  then=post_photos.photos_from)
    found = dict(zip(wanted, read_together(list(wanted.values())), strict=True))
    comments, counts = found.get("comments", ({}, {}))
    files = {}
    for attachment in found.get("files", ()):
        files.setdefault(attachment.post_id, []).append(attachment)
    if reads is None:
        reads = found.get("reads", {})
    pictures = found.get("pictures", {})
    unread = [post.id for post in post_rows if getattr(post, "my_read_at", None) is None]
    posts.record_reads(user, unread)
    return [FeedItem(
        post=post, is_new=post.id in unread, comments=comments.get(post.id, []),
        comment_count=counts.get(post.id, 0), attachments=files.get(post.id, []),
        reads=reads.get(post.id) if reads else None, may_comment=policy.may_comment(user, post),
        photos=pictures.get(post.id),
    ) for post in post_rows]


def latest_comments(user, post_ids, shown=None):
    """({post id: [comments, oldest first]}, {post id: count}): the latest `shown` of each.

    Each comment has `author` (a User), `children` (the author's children in the post's
    group, for "parent of Sem") and `hidden_by_name` (who hid it, seen by staff only).
    """
    if not post_ids:
        return {}, {}
    return comments_from(comments_query(user, post_ids, shown).tuples())


@prepared
def _files_of(post_ids):
    return PostAttachment.select().where(PostAttachment.post.in_(post_ids)).order_by(
        PostAttachment.id)


def _comments(user, post_ids, shown):
    """comments_query's tuples, from kept text (one per whether hidden ones are seen)."""
    sees_hidden = policy.sees_hidden_comments(user)
    if not shown:
        return comments_query(user, post_ids, shown).tuples()
    return _comments_in[sees_hidden](list(post_ids), shown, clock.school_today())


def comments_query(user, post_ids, shown=None):
    """The query behind latest_comments (read it with .tuples(); comments_from makes the
    comments of its rows)."""
    return _comments_query(policy.sees_hidden_comments(user), list(post_ids), shown or None)


def _comments_query(sees_hidden, post_ids, shown, today=None):
    """comments_query for those who see hidden comments or not; the latest `shown` of each
    post (None: all), of pupils at school on `today` (None: today)."""
    order = [Comment.created_at.desc(), Comment.id.desc()]
    ranked = Comment.select(
        Comment.id, fn.ROW_NUMBER().over(partition_by=[Comment.post], order_by=order).alias("rn"),
        fn.COUNT(Comment.id).over(partition_by=[Comment.post]).alias("total"),
    ).where(Comment.post.in_(post_ids))
    if not sees_hidden:
        ranked = ranked.where(Comment.hidden_at.is_null())
    ranked = ranked.alias("ranked")
    hider = User.alias("hider")
    query = (
        Comment.select(*COMMENT_COLUMNS, *AUTHOR_COLUMNS, hider.display_name, ranked.c.total,
                       Pupil.first_name)
        .join(ranked, on=(Comment.id == ranked.c.id))
        .switch(Comment).join(User, on=(Comment.author == User.id))
        .switch(Comment).join(Post, on=(Comment.post == Post.id))
        .switch(Comment).join(hider, JOIN.LEFT_OUTER, on=(Comment.hidden_by == hider.id))
        .switch(Comment).join(Guardianship, JOIN.LEFT_OUTER, on=(
            Guardianship.guardian == Comment.author))
        .join(Pupil, JOIN.LEFT_OUTER, on=(
            (Pupil.id == Guardianship.pupil) & (Pupil.group == Post.group)
            & Pupil.at_school(today)))
        .order_by(Comment.post, Comment.created_at, Comment.id)
    )
    if shown is not None:
        query = query.where(ranked.c.rn <= shown)
    return query


# The latest `shown` comments of each post, prepared: for those who see hidden ones or not.
_comments_in = {
    sees_hidden: prepared(lambda post_ids, shown, today, _sees=sees_hidden:
                          _comments_query(_sees, post_ids, shown, today).tuples())
    for sees_hidden in (False, True)}


def comments_from(rows):
    """({post id: [comments, oldest first]}, {post id: count}) from comments_query's rows."""
    by_post, counts, seen = {}, {}, {}
    for row in rows:
        comment_id, post_id, total, child = row[0], row[1], row[-2], row[-1]
        counts[post_id] = total
        comment = seen.get(comment_id)
        if comment is None:
            comment = seen[comment_id] = _comment_from_row(row)
            by_post.setdefault(post_id, []).append(comment)
        if child and child not in comment.children:
            comment.children.append(child)
    return by_post, counts


def _author(values):
    """A User holding only what the author line shows (no address, no password hash)."""
    return User(**dict(zip(("id", "display_name", "role", "photo"), values, strict=True)))


def _post_from_row(row):
    """A Post with its author, its group's name and when this user read it, from one row."""
    count = len(POST_COLUMNS)
    post = Post(**{column.name: value for column, value in zip(POST_COLUMNS, row, strict=False)})
    post.author = _author(row[count:count + 4])
    if post.group_id is not None:
        post.group = Group(id=post.group_id, name=row[count + 4])
    post.my_read_at = row[count + 5]
    post.has_files, post.has_photos = bool(row[count + 6]), bool(row[count + 7])
    return post


def _comment_from_row(row):
    """A Comment with its author, children (filled by the caller) and hider's name."""
    count = len(COMMENT_COLUMNS)
    comment = Comment(**{c.name: v for c, v in zip(COMMENT_COLUMNS, row, strict=False)})
    comment.author = _author(row[count:count + 4])
    comment.hidden_by_name = row[count + 4]
    comment.children = []
    return comment
