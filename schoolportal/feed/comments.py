"""Reactions on group posts: adding them, hiding and closing (staff), and the house rules.

Nobody edits or deletes a reaction after posting it: there is no function for it here and
no route in the views. Staff hide a reaction instead; who hid it and when are kept.
"""

from flask_babel import lazy_gettext as _l

from schoolportal.core import richtext
from schoolportal.core.database import write_transaction
from schoolportal.core.models import utcnow
from schoolportal.feed.models import Comment, CommentRules, Post

MAX_LENGTH = 2000

# The rules from the schools the portal was modelled on; an admin can change them.
DEFAULT_RULES = (
    _l("Treat each other with respect: the same manners apply online as offline. Everything "
       "you post can be seen by others at once, and you cannot change or delete it yourself."),
    _l("Be restrained with reactions. Only react when it matters to the whole group, or to "
       "answer a question."),
    _l("Respect the privacy of others."),
    _l("Do not share photos from the portal on social media such as Facebook, Instagram "
       "or X."),
)


def add_comment(post, author, body):
    """Store a reaction (the caller checked that this user may react on the post)."""
    with write_transaction():
        return Comment.create(post=post.id, author=author.id, body=body.strip()[:MAX_LENGTH],
                              created_at=utcnow())


def hide_comment(comment, by):
    """Hide a reaction from parents; the first hide counts (its who and when are kept)."""
    with write_transaction():
        return Comment.update(hidden_at=utcnow(), hidden_by=by.id).where(
            (Comment.id == comment.id) & Comment.hidden_at.is_null()).execute() == 1


def show_comment(comment):
    """Show a hidden reaction again."""
    with write_transaction():
        Comment.update(hidden_at=None, hidden_by=None).where(Comment.id == comment.id).execute()


def close_comments(post, by):
    """No more reactions on this post (those already there stay)."""
    with write_transaction():
        Post.update(comments_closed_at=utcnow(), comments_closed_by=by.id).where(
            (Post.id == post.id) & Post.comments_closed_at.is_null()).execute()


def reopen_comments(post):
    """Allow reactions on this post again."""
    with write_transaction():
        Post.update(comments_closed_at=None, comments_closed_by=None).where(
            Post.id == post.id).execute()


def house_rules(read_with=None):
    """The rules (`body`, `body_html`): the school's own once an admin set them, else ours.

    `read_with`: a row read with `rules_column()` (the post page reads them with its post),
    so no statement of their own; it then holds `body_html` only, which is what is shown.
    """
    if read_with is not None and hasattr(read_with, "rules_html"):
        if read_with.rules_html is not None:
            return CommentRules(body_html=read_with.rules_html)
        saved = None
    else:
        saved = CommentRules.current()
    if saved is not None:
        return saved
    text = default_rules_markdown()
    return CommentRules(body=text, body_html=richtext.to_html(text))


def rules_column():
    """The school's house rules as last saved (HTML), as a column of another statement;
    NULL while it uses ours (see house_rules)."""
    return (CommentRules.select(CommentRules.body_html)
            .order_by(CommentRules.id.desc()).limit(1).alias("rules_html"))


def default_rules_markdown():
    """The default rules as a Markdown list, in the current language (a start for editing)."""
    return "\n".join(f"{number}. {rule}" for number, rule in enumerate(DEFAULT_RULES, 1))


def save_house_rules(body, by):
    """Store a new version of the rules; earlier versions are kept."""
    with write_transaction():
        return CommentRules.create(body=body, body_html=richtext.to_html(body), updated_by=by.id,
                                   updated_at=utcnow())
