"""Posts: writing, scheduling, editing and deleting them, telling parents, and read receipts.

A post to several groups becomes one post per group (each group keeps its own reactions
and receipts); their attachments share the stored files. Parents are told through the
channel they chose for "news in my child's group" or "school-wide news"
(notifications.notify), in the same transaction: a push, a mail, or the feed's own daily
digest. An urgent post (admins only, recorded in the audit log) goes to every parent at
once, also during quiet hours. A scheduled post's mails and pushes are queued at once to
go at the publication time, and withdrawn if the post is changed or deleted before then.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import g
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from schoolportal.core import audit, media, outbox, richtext
from schoolportal.core.database import write_transaction
from schoolportal.core.models import (
    MAIL_PENDING,
    ROLE_PARENT,
    Group,
    Guardianship,
    OutboxMail,
    Pupil,
    School,
    User,
    utcnow,
)
from schoolportal.feed.models import Post, PostAttachment, PostMail, PostRead
from schoolportal.notifications import choices
from schoolportal.notifications import service as notifications

MEDIA_AREA = "attachments"
MAX_ATTACHMENTS = 5
DIGEST_MAX_AGE = timedelta(days=2)  # after a long stop, the worker does not mail old news
EXCERPT_CHARACTERS = 300


@dataclass
class PostContent:
    """What the author wrote: the parts of a post an edit may change."""

    title: str
    body: str
    kind: str = "message"
    pinned: bool = False
    urgent: bool = False


def space_name(post):
    """Where a post appears: its group's name or "School-wide"."""
    return post.group.name if post.group_id else _l("School-wide")


def is_published(post, now=None):
    """True once a post's publication time has come."""
    return post.published_at is not None and post.published_at <= (now or utcnow())


# --- Writing ------------------------------------------------------------------------------

def create_posts(author, groups, content, stored_files=(), publish_at=None):
    """One post per audience (a Group, or None for the whole school); returns the posts.

    `publish_at` None keeps a draft; a time publishes then (now, or scheduled).
    """
    now = utcnow()
    with write_transaction():
        posts = [Post.create(
            author=author, group=group, published_at=publish_at, created_at=now,
            body_html=richtext.to_html(content.body), **vars(content),
        ) for group in groups]
        _attach(posts, stored_files)
        # The author has read their own post: it is not "new" for them.
        record_reads(author, [post.id for post in posts])
        if publish_at is not None:
            notify(posts, now)
            _audit_urgent(posts, author)
    return posts


def _audit_urgent(posts, author):
    """An urgent post reaches everyone at every hour: the audit log records who sent it."""
    for post in posts:
        if post.urgent:
            audit.record("urgent_post", "post", post.id, actor=author,
                         group=post.group_id, at=post.published_at)


def update_post(post, content, stored_files=(), remove_ids=(), publish_at=None, schedule=False):
    """Change a post; `schedule` also sets the publication time of a post not yet published.

    Changing the text of a published post marks it as edited. A draft or scheduled post
    loses its queued mails and is announced again when (re)published.
    """
    now = utcnow()
    was_published = is_published(post, now)
    changes = {**vars(content), "body_html": richtext.to_html(content.body)}
    if was_published and (content.title != post.title or content.body != post.body):
        changes["edited_at"] = now
    removed_names = []
    with write_transaction():
        if not was_published and schedule:
            _withdraw_mails(post, now)
            changes.update(published_at=publish_at, notified_at=None)
        Post.update(changes).where(Post.id == post.id).execute()
        removed = list(PostAttachment.select().where(
            (PostAttachment.post == post.id) & PostAttachment.id.in_(list(remove_ids) or [0])))
        PostAttachment.delete().where(
            PostAttachment.id.in_([a.id for a in removed] or [0])).execute()
        removed_names = [a.file_name for a in removed]
        _attach([post], stored_files)
        fresh = (Post.select(Post, Group).join(Group, JOIN.LEFT_OUTER)
                 .where(Post.id == post.id).get())
        if not was_published and schedule and publish_at is not None:
            notify([fresh], now)
            _audit_urgent([fresh], post.author)
    forget_files(removed_names)
    return fresh


def delete_post(post):
    """Delete a post with its reactions, receipts, queued mails and (unshared) files."""
    names = [a.file_name for a in PostAttachment.select().where(PostAttachment.post == post.id)]
    with write_transaction():
        _withdraw_mails(post, utcnow())
        Post.delete().where(Post.id == post.id).execute()
    forget_files(names)


def store_files(files):
    """Store uploads under media's "attachments" area; on a refusal, nothing stays stored."""
    stored = []
    try:
        for upload in files:
            stored.append(media.store(MEDIA_AREA, upload.stream, upload.filename))
    except media.MediaRejected:
        forget_files([s.name for s in stored])
        raise
    return stored


def forget_files(names):
    """Delete stored files that no attachment row refers to any more."""
    names = set(names)
    if not names:
        return
    still_used = {row.file_name for row in PostAttachment.select(PostAttachment.file_name)
                  .where(PostAttachment.file_name.in_(list(names)))}
    for name in names - still_used:
        media.delete(MEDIA_AREA, name)


def _attach(posts, stored_files):
    """Attachment rows for each post; copies of a post share the stored files."""
    rows = [{"post": post.id, "file_name": f.name, "mimetype": f.mimetype, "size": f.size,
             "download_name": f.download_name[:100]} for post in posts for f in stored_files]
    if rows:
        PostAttachment.insert_many(rows).execute()


# --- Notifications --------------------------------------------------------------------------

def intended_parents(group_ids, school_wide):
    """Active parent accounts of pupils at school in these groups (or all, school-wide).

    Each row is a User with `child_group_id` and `child_name` of one of their children.
    """
    query = (User.select(User, Pupil.group.alias("child_group_id"),
                         Pupil.first_name.alias("child_name"))
             .join(Guardianship, on=(Guardianship.guardian == User.id))
             .join(Pupil, on=(Guardianship.pupil == Pupil.id))
             .where((User.role == ROLE_PARENT) & (User.active == True) & Pupil.at_school())  # noqa: E712
             .order_by(User.display_name, User.id))
    if not school_wide:
        query = query.where(Pupil.group.in_(list(group_ids) or [0]))
    return query.objects()


def notify(posts, now=None):
    """Tell the parents about newly published (or scheduled) posts, once per parent per batch."""
    now = now or utcnow()
    if not posts:
        return 0
    rows = intended_parents({p.group_id for p in posts}, any(p.group_id is None for p in posts))
    parents = [row for row in rows if row.password_hash]  # only activated accounts are told
    school = _school()
    told, mailed, queued = set(), set(), 0
    for post in posts:
        deferred = []
        audience = {parent.id: parent for parent in parents if parent.id not in told and (
            post.group_id is None or parent.child_group_id == post.group_id)}
        told.update(audience)

        def mail(parent, post=post, deferred=deferred):
            mailed.add(parent.id)
            queued_mail = _send_post_mail(parent, post, school)
            if post.published_at > now:
                deferred.append(queued_mail.id)

        notifications.notify(
            audience.values(), "school_news" if post.group_id is None else "group_news",
            title=(_l("Urgent: %(title)s", title=post.title) if post.urgent
                   else _l("New in %(space)s", space=space_name(post))),
            body="" if post.urgent else post.title, url=notifications.link(
                "feed.post", post_id=post.id), mail=mail, own_digest=True,
            urgent=post.urgent, at=post.published_at, source=f"post:{post.id}")
        if deferred:
            OutboxMail.update(next_attempt_at=post.published_at).where(
                OutboxMail.id.in_(deferred)).execute()
            PostMail.insert_many([{"post": post.id, "mail": m} for m in deferred]).execute()
        queued += len(deferred)
    Post.update(notified_at=now).where(Post.id.in_([p.id for p in posts])).execute()
    return len(mailed)


def _send_post_mail(parent, post, school):
    """One notification mail about one post."""
    space = space_name(post)
    subject = (_l("Urgent: %(title)s", title=post.title) if post.urgent
               else _l("New in %(space)s: %(title)s", space=space, title=post.title))
    return outbox.send(
        parent, "feed/published", subject, school=school, post=post, space=space,
        excerpt=richtext.to_text(post.body_html, EXCERPT_CHARACTERS),
        url=outbox.absolute_url("feed.post", post_id=post.id),
        settings_url=outbox.absolute_url("notifications.settings"),
    )


def _withdraw_mails(post, now):
    """Delete the not yet delivered mails and pushes of a scheduled post (it changed or went
    away)."""
    notifications.withdraw(f"post:{post.id}")
    queued = PostMail.select(PostMail.mail).where(PostMail.post == post.id)
    OutboxMail.delete().where(
        OutboxMail.id.in_(queued) & (OutboxMail.status == MAIL_PENDING)
        & (OutboxMail.attempts == 0) & (OutboxMail.next_attempt_at > now)).execute()


def _school():
    """The school, looked up once per request or worker round."""
    if "school" not in g:
        g.school = School.current()
    return g.school


def send_daily_digest(now=None):
    """One mail per "daily" parent with the posts published since the previous digest."""
    now = now or utcnow()
    with write_transaction():
        posts = list(Post.select(Post, Group).join(Group, JOIN.LEFT_OUTER).where(
            Post.published_at.is_null(False) & (Post.published_at <= now)
            & Post.digested_at.is_null()).order_by(Post.published_at, Post.id))
        if not posts:
            return 0
        Post.update(digested_at=now).where(Post.id.in_([p.id for p in posts])).execute()
        # Urgent posts went to everyone at once already.
        recent = [p for p in posts if not p.urgent and p.published_at > now - DIGEST_MAX_AGE]
        return _send_digests(recent)


def _send_digests(posts):
    """The digest mails for these posts; returns how many were queued."""
    if not posts:
        return 0
    rows = intended_parents({p.group_id for p in posts}, any(p.group_id is None for p in posts))
    groups_of = {}
    for row in rows:
        if row.password_hash:
            groups_of.setdefault(row.id, (row, set()))[1].add(row.child_group_id)
    people = [parent for parent, _groups in groups_of.values()]
    group_news = choices.channels_of(people, "group_news")
    school_news = choices.channels_of(people, "school_news")
    school = _school()
    sent = 0
    for parent, groups in groups_of.values():
        theirs = [p for p in posts if (
            p.group_id is None and school_news[parent.id] == choices.DIGEST) or (
            p.group_id in groups and group_news[parent.id] == choices.DIGEST)]
        if not theirs:
            continue
        sent += 1
        outbox.send(
            parent, "feed/digest", _l("News from %(school)s", school=school.name if school else ""),
            school=school, posts=[(p, space_name(p), outbox.absolute_url("feed.post", post_id=p.id),
                                   richtext.to_text(p.body_html, EXCERPT_CHARACTERS))
                                  for p in theirs],
            feed_url=outbox.absolute_url("feed.index"),
            settings_url=outbox.absolute_url("notifications.settings"),
        )
    return sent


# --- Read receipts --------------------------------------------------------------------------

def record_reads(user, post_ids):
    """Note that this user has seen these posts (again is fine: the first time counts)."""
    if post_ids:
        PostRead.insert_many([{"post": pid, "user": user.id, "read_at": utcnow()}
                              for pid in post_ids]).on_conflict_ignore().execute()


def read_counts(posts_query_condition, post_ids):
    """{post id: (parents who read it, intended parents)} for these posts, in one query."""
    if not post_ids:
        return {}
    return read_counts_from(read_counts_query(posts_query_condition, post_ids))


def read_counts_query(posts_query_condition, post_ids):
    """The query behind read_counts: (post id, read, intended) tuples."""
    readers = fn.COUNT(PostRead.user.distinct())
    return (Post.select(Post.id, readers.alias("readers"),
                        fn.COUNT(Guardianship.guardian.distinct()).alias("intended"))
            .join(Pupil, on=(Post.group.is_null() | (Pupil.group == Post.group)))
            .join(Guardianship, on=(Guardianship.pupil == Pupil.id))
            .join(User, on=((User.id == Guardianship.guardian) & (User.role == ROLE_PARENT)
                            & (User.active == True)))  # noqa: E712
            .join(PostRead, JOIN.LEFT_OUTER, on=(
                (PostRead.post == Post.id) & (PostRead.user == Guardianship.guardian)))
            .where(Post.id.in_(list(post_ids)) & Pupil.at_school() & posts_query_condition)
            .group_by(Post.id).tuples())


def read_counts_from(rows):
    """{post id: (read, intended)} from read_counts_query's rows."""
    return {post_id: (read, total) for post_id, read, total in rows}


def readers_of(post):
    """The intended parents of a post: (read, not yet read), each a list of
    (user, children's first names, read_at), names in order."""
    read_at = (PostRead.select(PostRead.read_at)
               .where((PostRead.post == post.id) & (PostRead.user == User.id)))
    rows = intended_parents([post.group_id], post.group_id is None).select_extend(
        read_at.alias("read_at"))  # when each read it, in the same statement
    people, reads = {}, {}
    for row in rows:
        entry = people.setdefault(row.id, [row, [], None])
        if row.child_group_id == post.group_id or post.group_id is None:
            entry[1].append(row.child_name)
        if row.read_at is not None:
            reads[row.id] = PostRead.read_at.python_value(row.read_at)
    read, unread = [], []
    for user_id, (user, children, _none) in people.items():
        (read if user_id in reads else unread).append((user, sorted(set(children)),
                                                       reads.get(user_id)))
    return read, unread
