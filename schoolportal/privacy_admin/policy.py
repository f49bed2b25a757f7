"""Who may see and change the audit log.

Admins read the whole audit log (the pages are @admin_only too); nobody may change an entry,
so there is no "may edit" rule and no route that writes one.
"""

from schoolportal.authz import nothing
from schoolportal.core.models import ROLE_ADMIN


def audit_entries(user):
    """The audit log entries this user may read: every entry for admins, none otherwise."""
    from schoolportal.core.models import AuditEntry

    query = AuditEntry.select()
    if user.role != ROLE_ADMIN:
        query = nothing(query)
    return query


FINDERS = {}  # no object of this area is reached by id
