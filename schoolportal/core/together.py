"""Reading several lists and counts in one SQL statement: what a home page's cards need.

    numbers, news = read_together([Count(unread_query), Rows(news_query)])

Each `Count` becomes `(SELECT COUNT(1) FROM (query))` and each `Rows` a scalar subquery that
gathers the query's rows into one JSON array (SQLite's json_group_array, PostgreSQL's
json_agg), all columns of one `SELECT`. A list comes back as iterating its query gives it
(model instances with their joined models, or dicts/tuples), through the query's own peewee
cursor wrapper, so its field converters run as they do for a normal read.

What JSON changes, and how it is undone:
- row order: each row carries its ROW_NUMBER() over the query's own ORDER BY, and the rows
  are sorted by it (neither database promises the order of an aggregate's input);
- PostgreSQL renders timestamps as ISO text with a "T" ("2026-12-05T08:30:00"); in a
  DateTimeField's column or an expression's, such text becomes the datetime the driver would
  have given (a text field's value stays text). Dates and times come back as text, as
  they do from SQLite, and the fields' converters read them as they do there.
- SQLite cannot put a BLOB into JSON; no query read this way selects one.

A query with DISTINCT is read on its own (the row number would make every row distinct), and so
is a compound one (UNION...).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from peewee import DateTimeField, Field, Select, SelectBase, fn

from schoolportal.core.database import is_sqlite
from schoolportal.core.extensions import db
from schoolportal.core.prepared import Bound, counted

_PG_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\Z")


@dataclass(frozen=True)
class Count:
    """How many rows this query has."""

    query: object


@dataclass(frozen=True)
class Rows:
    """The rows of this query, as a list; `then(rows)` makes the value from them."""

    query: object
    then: object = field(default=list)


def read_together(items):
    """The value of each Count (an int) and Rows (then(list of rows)), in one statement.

    Each item becomes one column, `(SELECT ...) AS "c<n>"`, written on its own: an item
    whose query is prepared (core.prepared) takes its wrapped text from there, built once;
    any other is built by peewee as before.
    """
    if not items:
        return []
    postgres = not is_sqlite()
    columns, values, apart, queries = [], [], {}, []
    for n, item in enumerate(items):
        query = item.query
        is_count = isinstance(item, Count)
        if isinstance(query, Bound):
            if query.template:
                shown = query.template.query
                if not is_count and _read_apart(shown):
                    apart[n] = list(query)
                    queries.append(None)
                    continue
                part = query.wrapped("count" if is_count else "rows",
                                     counted if is_count else _gathered_for(postgres))
                if part is not None:
                    queries.append(query.template)
                    columns.append(f'({part[0]}) AS "c{n}"')
                    values.extend(part[1])
                    continue
            query = query.query()  # built the peewee way (a None argument...)
        queries.append(query)
        if not is_count and _read_apart(query):
            apart[n] = list(query)
            continue
        node = counted(query) if is_count else _gathered(query, postgres)
        sql, params = db.get_sql_context().sql(node).query()
        columns.append(f'({sql}) AS "c{n}"')
        values.extend(params)
    read = iter(db.execute_sql("SELECT " + ", ".join(columns), values).fetchone()
                if columns else ())
    results = []
    for n, item in enumerate(items):
        if isinstance(item, Count):
            results.append(next(read))
        elif n in apart:
            results.append(item.then(apart[n]))
        else:
            results.append(item.then(_rows(queries[n], next(read), postgres)))
    return results


def _gathered_for(postgres):
    return lambda query: _gathered(query, postgres)


def _read_apart(query):
    """A DISTINCT or compound (UNION...) query keeps to its own statement."""
    return (not hasattr(query, "_returning") or bool(query._simple_distinct)
            or query._distinct is not None)


def _gathered(query, postgres):
    """(SELECT json_group_array(json(r)) FROM (SELECT json_array(n, col0, col1...) AS r ...)).

    Each row becomes one JSON array in the query's own SELECT, its row number first: no
    column needs a name of its own, so the statement costs little more to build than the
    query itself (naming every column and reading it back by name cost half as much again).
    """
    cells = [fn.ROW_NUMBER().over(order_by=list(query._order_by or ()))]
    cells += [_unnamed(node) for node in query._returning]
    inner = query.clone()
    if postgres:
        inner._returning = [fn.json_build_array(*cells).alias("r")]
        listed = inner.alias("listed")
        gathered = fn.json_agg(listed.c.r)
    else:  # crossing the subquery, the array is text again: json() makes it JSON
        inner._returning = [fn.json_array(*cells).alias("r")]
        listed = inner.alias("listed")
        gathered = fn.json_group_array(fn.json(listed.c.r))
    return Select(from_list=[listed], columns=[gathered])


def _unnamed(node):
    """A selected column without its "AS name" (a function's argument has no name)."""
    if isinstance(node, SelectBase) and node._alias:
        node = node.clone()
        node._alias = None
        return node
    return node.unalias()


def _rows(source, gathered, postgres):
    """The rows as iterating the query gives them, from its gathered JSON (None: no rows).

    `source` is the query, or a prepared query's template: then what reading its rows
    works out (column names, which columns may hold timestamps, the cursor wrapper's
    setup) is kept with the template and done once.
    """
    kept = getattr(source, "reader", None)
    query = source.query if kept is not None else source
    if gathered is None:
        rows = []
    else:
        rows = json.loads(gathered) if isinstance(gathered, str) else gathered
        rows.sort(key=lambda row: row[0])
        rows = [row[1:] for row in rows]
        if postgres:
            timestamps = kept.get("timestamps") if kept is not None else None
            if timestamps is None:
                timestamps = [i for i, node in enumerate(query._returning)
                              if _maybe_timestamp(node)]
                if kept is not None:
                    kept["timestamps"] = timestamps
            for row in rows:
                for i in timestamps:
                    row[i] = _pg_value(row[i])
    if kept is None:
        return list(query._get_cursor_wrapper(_ListCursor(_description(query), rows)))
    if "description" not in kept:
        kept["description"] = _description(query)
    return source.rows(_ListCursor(kept["description"], rows), source="listed")


def _maybe_timestamp(node):
    """Whether a column may hold a timestamp: a DateTimeField, or an expression (not a field
    of another kind: text that looks like a timestamp stays text)."""
    node = node.unwrap()
    return isinstance(node, DateTimeField) or not isinstance(node, Field)


def _pg_value(value):
    if isinstance(value, str) and _PG_TIMESTAMP.match(value):
        return datetime.fromisoformat(value)
    return value


def _description(query):
    """The column names a database cursor would report for the query's columns."""
    names = []
    context = db.get_sql_context()
    for node in query._returning:
        if node.is_alias() or isinstance(node, SelectBase) and node._alias:  # x AS "name"
            names.append((node._alias,))
        elif hasattr(node, "column_name"):
            names.append((node.column_name,))
        else:
            names.append((context.sql(node).query()[0],))
    return names


class _ListCursor:
    """Enough of a DB-API cursor for peewee's cursor wrappers: rows already read."""

    def __init__(self, description, rows):
        self.description = description
        self.rowcount = len(rows)
        self._rows = iter(tuple(row) for row in rows)

    def fetchone(self):
        return next(self._rows, None)

    def close(self):
        pass
