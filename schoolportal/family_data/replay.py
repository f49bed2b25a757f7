"""Replaying the erasure journal after a restore: what was erased stays erased.

A restored backup is the school as it was on the day of the backup. For every erasure in
the journal, its last event decides what the restored database must show:

- done: the family is erased again, now, with the same steps as the first time (only the
  accounts and children whose fingerprints match, and only those not erased already);
- scheduled: the accounts are closed again and the erasure waits for its day;
- cancelled: an erasure the backup still shows as scheduled is called off.

An erasure the backup already shows in its final state is left alone, so a replay can run
any number of times.
"""

import json
from collections import Counter
from datetime import date

from peewee import IntegrityError

from schoolportal.core import audit
from schoolportal.core.database import write_transaction
from schoolportal.core.models import AuthSession, Pupil, User
from schoolportal.family_data import erasure as erasures
from schoolportal.family_data import journal
from schoolportal.family_data.models import SCHEDULED, Erasure


def replay(events):
    """Bring the restored database in line with the journal; {"done"|...: how many}."""
    final = {}
    for line in events:  # oldest first: the last event of each erasure wins
        state = final.setdefault(line["key"], {"first": line})
        state["event"] = line["event"] if state.get("event") != "done" else "done"
    counts = Counter()
    for key, state in final.items():
        if _apply(key, state["event"], state["first"]):
            counts[state["event"]] += 1
    return dict(counts)


def _apply(key, event, line):
    """Replay one erasure's final state; True when the database changed."""
    known = _erasure_with_key(key)
    accounts, pupils = _still_there(line)
    if event == "done":
        if not accounts and not pupils:
            return False  # erased in the backup already, or never in it
        if known is None or known.status != SCHEDULED:
            known = _scheduled_again(line, accounts, pupils, open_account=None)
        else:
            known.account_ids, known.pupil_ids = json.dumps(accounts), json.dumps(pupils)
        erasures.carry_out(known, record=False)
        return True
    if event == "cancelled":
        if known is None or known.status != SCHEDULED:
            return False
        erasures.cancel(known)
        return True
    if known is not None or not accounts:
        return False  # the backup has it (in whatever state), or nobody is left to close
    try:
        _scheduled_again(line, accounts, pupils, open_account=accounts[0])
    except IntegrityError:
        return False  # the backup already has an open erasure for this family
    return True


def _erasure_with_key(key):
    """The restored erasure this journal key names, or None."""
    erasure_id = key.split(":", 1)[0]
    found = Erasure.get_or_none(Erasure.id == int(erasure_id)) if erasure_id.isdigit() else None
    return found if found is not None and journal.key_of(found) == key else None


def _still_there(line):
    """(account ids, pupil ids) of the erasure still present and not erased in this database."""
    wanted_accounts = {row_id: print_ for row_id, print_ in line.get("accounts", [])}
    wanted_pupils = {row_id: print_ for row_id, print_ in line.get("pupils", [])}
    accounts = User.select(User.id, User.created_at).where(
        User.id.in_(list(wanted_accounts)) & User.erased_at.is_null())
    pupils = Pupil.select(Pupil.id, Pupil.created_at).where(Pupil.id.in_(list(wanted_pupils)))
    return (
        sorted(a.id for a in accounts
               if journal.fingerprint("account", a.id, a.created_at) == wanted_accounts[a.id]),
        sorted(p.id for p in pupils
               if journal.fingerprint("pupil", p.id, p.created_at) == wanted_pupils[p.id]),
    )


def _scheduled_again(line, accounts, pupils, open_account):
    """A new erasure row for a journal entry the backup does not have; accounts closed."""
    with write_transaction():
        erasure = Erasure.create(
            account=accounts[0] if accounts else None, open_account=open_account,
            reason=line.get("reason") or "request", account_ids=json.dumps(accounts),
            pupil_ids=json.dumps(pupils),
            reactivate_ids=json.dumps(sorted(set(accounts) & set(line.get("reactivate", [])))),
            due_on=date.fromisoformat(line["due_on"]))
        User.update(active=False).where(User.id.in_(accounts)).execute()
        AuthSession.delete().where(AuthSession.user.in_(accounts)).execute()
        audit.record("erasure", "erasure", erasure.id, step="replayed", key=line["key"])
    return erasure
