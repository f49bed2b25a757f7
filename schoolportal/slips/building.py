"""Making a slip: the slip and its questions in one transaction."""

from schoolportal.core.database import write_transaction
from schoolportal.slips import overview
from schoolportal.slips.models import Slip, SlipQuestion


def create(author, group, title, description, deadline, remind_days_before, questions,
           post=None):
    """A new slip for a group (optionally under a post of that group), with its questions.

    `questions` is [(kind, text, options, required)].
    """
    with write_transaction():
        slip = Slip.create(title=title, description=description, group=group.id,
                           post=post.id if post else None, deadline=deadline,
                           remind_days_before=remind_days_before, created_by=author.id)
        SlipQuestion.insert_many([
            {"slip": slip.id, "position": position, "kind": kind, "text": text,
             "options": "\n".join(options), "required": bool(required)}
            for position, (kind, text, options, required) in enumerate(questions)]).execute()
    return slip


def slips_of_post(post, with_counts=False):
    """The slips that hang under a post (with_counts: each with `answered` and `children`,
    read in the same statement; see overview.with_counts)."""
    query = Slip.select().where(Slip.post == post.id).order_by(Slip.id)
    return list(overview.with_counts(query) if with_counts else query)
