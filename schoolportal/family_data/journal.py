"""The erasure journal: each erasure scheduled, cancelled or carried out, outside the database.

A backup is a copy of the past. Restoring an older one would bring back the families erased
since; the journal is how a restore knows them and erases them again (family_data/replay.py).
One JSON line per event, ids only, never a name or an address:

    {"v": 1, "key": "12:2026-11-02T09:14:03.120001", "event": "done",
     "at": "2026-12-02T01:00:04Z", "reason": "request", "due_on": "2026-12-02",
     "accounts": [[31, "9c1e..."]], "pupils": [[18, "07ad..."]], "reactivate": [31]}

`key` names the erasure across restores (its id and when it was made). Each account and
pupil carries a fingerprint of its id and creation time, so a replay touches exactly the rows
the erasure was about, also where a later row got the same id.

The file lives at ERASURE_JOURNAL (default: erasure-journal.jsonl in INSTANCE_PATH). Lines
are appended and flushed to disk; every backup holds a copy; `flask restore` reads them.
"""

import hashlib
import json
import os
from pathlib import Path

from flask import current_app

from schoolportal.core.clock import utc_now
from schoolportal.core.models import Pupil, User

FILE_NAME = "erasure-journal.jsonl"
EVENTS = ("scheduled", "cancelled", "done")


def path():
    """Where this installation keeps its journal."""
    configured = current_app.config.get("ERASURE_JOURNAL") or ""
    if configured:
        return Path(configured)
    return Path(current_app.instance_path) / FILE_NAME


def key_of(erasure):
    """The erasure's name in the journal: its id and the moment it was made."""
    return f"{erasure.id}:{erasure.created_at.isoformat()}"


def fingerprint(kind, row_id, created_at):
    """A short hash that tells this row from a later one with the same id."""
    text = f"{kind}:{row_id}:{created_at.isoformat() if created_at else ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def entry(erasure, event):
    """The journal line for an event of this erasure (read before its rows are removed)."""
    if event not in EVENTS:
        raise ValueError(f"unknown erasure event {event!r}")
    accounts = User.select(User.id, User.created_at).where(User.id.in_(erasure.accounts))
    pupils = Pupil.select(Pupil.id, Pupil.created_at).where(Pupil.id.in_(erasure.pupils))
    return {
        "v": 1, "key": key_of(erasure), "event": event,
        "at": utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": erasure.reason, "due_on": erasure.due_on.isoformat(),
        "accounts": sorted([a.id, fingerprint("account", a.id, a.created_at)] for a in accounts),
        "pupils": sorted([p.id, fingerprint("pupil", p.id, p.created_at)] for p in pupils),
        "reactivate": json.loads(erasure.reactivate_ids),  # active before: opened on a cancel
    }


def append(line, target=None):
    """Add one line and make sure it is on disk before the caller commits."""
    target = Path(target or path())
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read(*sources):
    """Every event in these journals, once each, oldest first (a torn last line is skipped)."""
    seen, events = set(), []
    for source in sources:
        source = Path(source)
        if not source.is_file():
            continue
        for text in source.read_text(encoding="utf-8").splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                continue  # a line cut short by a crash while it was written
            if not isinstance(line, dict) or line.get("event") not in EVENTS:
                continue
            identity = (line.get("key"), line["event"])
            if identity not in seen:
                seen.add(identity)
                events.append(line)
    return sorted(events, key=lambda line: (line.get("at", ""), EVENTS.index(line["event"])))


def write(events, target=None):
    """Replace the journal with these events (after a restore merged several), atomically."""
    target = Path(target or path())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with open(partial, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line, sort_keys=True) + "\n" for line in events)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
