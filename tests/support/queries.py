"""Counting the SQL statements a piece of work runs: one helper for every query-budget test."""

from schoolportal.core.extensions import db


class QueryCounter:
    """Keeps the SQL statements run while active: `with QueryCounter() as counter: ...`.

    It wraps `execute_sql` of the database's class, which every peewee query passes
    through, so statements of the app under test (the same process) are counted too.
    """

    def __init__(self):
        self.statements = []

    @property
    def count(self):
        """How many statements ran."""
        return len(self.statements)

    def __enter__(self):
        self._class = type(db.obj)
        self._real = real = self._class.execute_sql
        statements = self.statements

        def counting(database, sql, *args, **kwargs):
            statements.append(sql)
            return real(database, sql, *args, **kwargs)

        self._class.execute_sql = counting
        return self

    def __exit__(self, *exc):
        self._class.execute_sql = self._real


def statements_for(client, url, status=200):
    """How many SQL statements one GET of `url` runs (and that it answers `status`)."""
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return counter.count
