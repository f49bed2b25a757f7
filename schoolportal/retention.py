"""One retention policy: every rule that deletes old data registers here.

    @retention.rule("photos", _l("Photo albums"), _l("Albums are deleted two years after ..."))
    class PhotoRetention:
        def due(today): ...   # -> int, how many items the next purge removes
        def purge(today): ... # -> int, removes them (and their files); runs in its own transaction

`flask purge` and the worker's daily job run every rule; the admin's retention page shows
each rule's description and what `due` says the next purge will remove.
"""

from dataclasses import dataclass

RULES = {}


@dataclass(frozen=True)
class Rule:
    """A kind of data, how long it is kept, and the functions that find and remove it."""

    key: str
    label: object  # lazy string
    description: object  # lazy string: the policy in one or two sentences
    due: object  # function(today) -> int
    purge: object  # function(today) -> int


def rule(key, label, description):
    """Register a class (or namespace) with static `due(today)` and `purge(today)`."""

    def register(holder):
        RULES[key] = Rule(key, label, description, holder.due, holder.purge)
        return holder

    return register


def preview(today):
    """[(rule, count)] for the retention page: what the next purge would remove."""
    return [(r, r.due(today)) for r in RULES.values()]


def run_all(today):
    """Carry out every rule; {key: count removed}."""
    return {key: r.purge(today) for key, r in RULES.items()}
