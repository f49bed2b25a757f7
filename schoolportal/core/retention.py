"""One retention policy: every area that deletes old data declares its rules in its `jobs.py`.

    @retention.rule("photos", _l("Photo albums"), _l("Albums are deleted two years after ..."),
                    setting=("RETENTION_PHOTOS_DAYS", 730))
    class PhotoRetention:
        def due(today): ...   # -> how many items the next purge removes: an int, or the
                              #    query (or queries) of those items, counted by `preview`
        def purge(today): ... # -> int, removes them (and their files); runs in its own transaction

`create_app` adds every area's rules here (`add`); `flask purge` and the worker's daily job
run them; the admin's retention page shows each rule's description, the setting behind it
and what `due` says the next purge will remove.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from schoolportal.core.models import utcnow

RULES = {}


@dataclass(frozen=True)
class Rule:
    """A kind of data, how long it is kept, and the functions that find and remove it."""

    key: str
    label: object  # lazy string
    description: object  # lazy string: the policy in one or two sentences
    due: object  # function(today) -> int, a query, or a tuple of queries (see count_due)
    purge: object  # function(today) -> int
    setting: tuple = (None, None)  # (config name or None, default in days)


def rule(key, label, description, setting=(None, None)):
    """Describe a class with static `due(today)` and `purge(today)` as a rule (`.rule`).

    The class is returned unchanged but for that attribute: nothing is registered yet.
    """

    def describe(holder):
        holder.rule = Rule(key, label, description, holder.due, holder.purge, setting)
        return holder

    return describe


def add(holders):
    """Make these rules part of the policy (a key added again replaces its rule)."""
    for holder in holders:
        RULES[holder.rule.key] = holder.rule


def setting_of(key):
    """(setting name or None, its current value in days, or None) for a rule key."""
    found = RULES.get(key)
    name, default = found.setting if found else (None, None)
    if name is None:
        return None, default
    return name, int(current_app.config.get(name, default))


def limit(key):
    """The moment before which this rule's data goes (now minus its setting)."""
    return utcnow() - timedelta(days=setting_of(key)[1])


def _queries(due):
    """The queries a rule's `due` answered with ([] for a number)."""
    if isinstance(due, int):
        return []
    return list(due) if isinstance(due, (list, tuple)) else [due]


def count_due(found, today):
    """How many items a rule's next purge removes, as a number."""
    due = found.due(today)
    return due if isinstance(due, int) else sum(query.count() for query in _queries(due))


def preview(today):
    """[(rule, count)] for the retention page: what the next purge would remove; every rule
    that answers with queries is counted in one statement together."""
    from schoolportal.core.hooks import count_all

    found = [(r, r.due(today)) for r in RULES.values()]
    numbers = iter(count_all([query for _r, due in found for query in _queries(due)]))
    return [(r, due if isinstance(due, int) else sum(next(numbers) for _ in _queries(due)))
            for r, due in found]


def run_all(today):
    """Carry out every rule; {key: count removed}."""
    return {key: r.purge(today) for key, r in RULES.items()}
