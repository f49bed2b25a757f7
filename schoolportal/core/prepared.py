"""Queries whose SQL text is built once: the statements every request runs (issue 22).

    @prepared
    def live_session(key_hash, idle_limit, age_limit):
        return AuthSession.select(...).where(AuthSession.key_hash == key_hash ...).limit(1)

    row = live_session(digest, idle, age).first()

The first call builds the query with a placeholder (`Param`) in place of each argument and
keeps its SQL text, with a slot for each argument among the values; every later call only
puts its own arguments into those slots (through the converter peewee would have used, a
field's `db_value`) and runs the kept text. Building a query's text costs peewee about 230
calls per statement (a third of a page's CPU); putting values into slots costs nothing.

What keeps one request's values out of another's statement:
- the kept text is built from placeholders, never from a call's arguments; a placeholder
  refuses to be a truth value, a number, a length or an iterable, so a builder cannot
  branch on an argument or compute with it (it would fail the first time, in the tests);
- a builder must take every value that varies as an argument: the user, the time, today. It
  may not read `current_user`, the clock or the request itself. With `CHECK` on (the tests
  turn it on) every call also builds the query with its real arguments, the peewee way, and
  fails unless that gives the very same text and values: a builder that reads the clock or
  the user behind its arguments' back fails the first test that calls it twice with
  different ones;
- an argument that is None is not put into a slot (`x == None` must become `x IS NULL`): such
  a call builds its query the peewee way;
- the kept text is per dialect (SQLite and PostgreSQL write placeholders differently).

A list (tuple, set) as an argument is for `field.in_(argument)` and `field.not_in(argument)`
only: it travels as one value, a JSON array on SQLite (`IN (SELECT value FROM json_each(?))`)
and an array on PostgreSQL (`IN (SELECT unnest(CAST(%s AS bigint[])))`, or text[] for a field
of text), so the text does not depend on its length. Whether each argument is a list is part
of the key of the kept text.
"""

import functools
import json

from peewee import (
    SQL,
    AutoField,
    BigAutoField,
    ColumnBase,
    ForeignKeyField,
    IntegerField,
    Node,
    Select,
    fn,
)

from schoolportal.core.database import is_sqlite
from schoolportal.core.extensions import db

CHECK = False  # the tests set it: every call is compared with the query built the peewee way


class _Slot:
    """Where an argument goes among a statement's values, its converter, and whether it is
    a list (then each item is converted, and the list travels as one value)."""

    __slots__ = ("index", "converter", "many")

    def __init__(self, index, converter, many):
        self.index, self.converter, self.many = index, converter, many

    def value(self, arg, sqlite):
        """The statement's value for this argument."""
        converter = self.converter
        if not self.many:
            value = converter(arg) if converter is not None else arg
            if isinstance(value, Node):
                raise _NotPreparable("an argument became SQL")
            return value
        items = [converter(item) for item in arg]
        if any(isinstance(item, Node) or not isinstance(item, int | str) for item in items):
            raise _NotPreparable("a list of other things than numbers and text")
        return json.dumps(items) if sqlite else items


def _list_sql(ctx, converter):
    """`(SELECT ... one row per item of the list value)`, for `x IN <this>`."""
    field = getattr(converter, "__self__", None)
    # peewee has just written " IN " (or renders the list alone, to see whether it is empty)
    operator = ctx._sql[-1].strip() if ctx._sql else "IN"
    if field is None or operator not in ("IN", "NOT IN"):
        raise TypeError("a list argument of a prepared query is for field.in_(...) and "
                        "field.not_in(...) only")
    placeholder = ctx.state.param or "?"
    if placeholder == "?":
        return ctx.literal("(SELECT value FROM json_each(?))")
    if isinstance(field, ForeignKeyField):
        field = field.rel_field
    kind = "bigint" if isinstance(field, IntegerField | AutoField | BigAutoField) else "text"
    # placeholder and kind come from this module, never from a value
    return ctx.literal(f"(SELECT unnest(CAST({placeholder} AS {kind}[])))")  # noqa: S608


class Param(ColumnBase):
    """A placeholder for argument `index` in a query being built once."""

    def __init__(self, index, many=False):
        super().__init__()
        self.index, self.many = index, many

    def __sql__(self, ctx):
        state = ctx.state
        if state.value_literals:  # a statement with values written in: no slot for it
            raise _NotPreparable("a placeholder among literal values")
        ctx._values.append(_Slot(self.index, state.converter, self.many))
        if self.many:
            return _list_sql(ctx, state.converter)
        return ctx.literal(state.param or "?")

    def __bool__(self):
        raise TypeError("a prepared query's argument has no truth value while it is built: "
                        "its structure may not depend on it")

    def _refuse(self, *_args, **_kwargs):
        raise TypeError("a prepared query's argument cannot be computed with while it is "
                        "built: pass the computed value as an argument")

    __int__ = __float__ = __index__ = __iter__ = __len__ = _refuse


class _Valued(Param):
    """A placeholder that writes its real argument (the check builds with these)."""

    def __init__(self, index, value, many):
        super().__init__(index, many)
        self.value = value

    def __sql__(self, ctx):
        slot = _Slot(self.index, ctx.state.converter, self.many)
        ctx._values.append(slot.value(self.value, (ctx.state.param or "?") == "?"))
        if self.many:
            return _list_sql(ctx, slot.converter)
        return ctx.literal(ctx.state.param or "?")


class _NotPreparable(Exception):
    pass


class _Template:
    """A query's text with a slot per argument, and the query for reading its rows; and the
    texts of statements around it (`Bound.wrapped`)."""

    __slots__ = ("query", "sql", "values", "wrapped", "reader")

    def __init__(self, query, sql, values):
        self.query, self.sql, self.values = query, sql, values
        self.wrapped = {}
        self.reader = {}  # what reading rows of the query works out once (`rows`)

    def rows(self, cursor, source="cursor"):
        """The rows of `cursor` as iterating the query gives them (model instances with
        their joins, dicts, tuples), as a list.

        peewee's cursor wrapper works out on the first row how columns become objects
        (which model and converter each column goes to, how joined models hang together):
        a tenth of a small statement's cost. That depends only on the query and the
        cursor's column names, so what the first time worked out is kept and given to each
        later wrapper: per `source` of the rows (a database cursor, or read_together's
        list, whose column names it writes itself).
        """
        wrapper = self.query._get_cursor_wrapper(cursor)
        state = self.reader.get(source)
        if state is not None:
            wrapper.__dict__.update(state)
            wrapper.initialized = True
            return list(wrapper)
        fresh = set(wrapper.__dict__)
        rows = list(wrapper)
        if wrapper.initialized:  # there was a row: keep what its first row worked out
            self.reader[source] = {name: value for name, value in wrapper.__dict__.items()
                                   if name not in fresh}
        return rows

    def values_for(self, args, sqlite, values=None):
        """The statement's values for these arguments."""
        return [value.value(args[value.index], sqlite) if type(value) is _Slot else value
                for value in (self.values if values is None else values)]


def prepared(builder):
    """Decorator: the query `builder(*args)` returns is built once per dialect (see above);
    calling the decorated function gives a `Bound` statement to read."""
    templates = {}

    @functools.wraps(builder)
    def bind(*args):
        if any(arg is None for arg in args):
            return Bound(builder, args, None)
        key = (is_sqlite(), *(isinstance(arg, _LISTS) for arg in args))
        template = templates.get(key)
        if template is None:
            template = templates[key] = _build(builder, key[1:])
        return Bound(builder, args, template)

    bind.templates = templates
    return bind


_LISTS = (list, tuple, set, frozenset)


def prepared_by_groups(build, of_groups, of_all):
    """`build(scope, *args)` over the scope a policy gives for a user's groups, prepared.

    A policy says which groups decide what a user sees: None for everything (admins), a list
    of group ids, or a subquery (staff's groups of earlier years). The returned function
    takes those groups first: None reads `build(of_all(), *args)` and a list
    `build(of_groups(ids), *args)`, each from its own kept text; a subquery is built the
    peewee way. The policy's rule stays in `of_groups` and `of_all`; this only chooses the
    form of the query.
    """
    name = build.__qualname__

    def for_all(*args):
        return build(of_all(), *args)

    def in_groups(group_ids, *args):
        return build(of_groups(group_ids), *args)

    for_all.__qualname__, in_groups.__qualname__ = f"{name}[all]", f"{name}[groups]"
    for_all, in_groups = prepared(for_all), prepared(in_groups)

    def query(groups, *args):
        if groups is None:
            return for_all(*args)
        if isinstance(groups, list):
            return in_groups(groups, *args)
        return build(of_groups(groups), *args)

    query.for_all, query.in_groups = for_all, in_groups
    return query


def _build(builder, lists):
    """The builder's query with placeholders, and its text (False: it cannot be prepared)."""
    query = builder(*(Param(i, many) for i, many in enumerate(lists)))
    try:
        sql, values = db.get_sql_context().sql(query).query()
    except _NotPreparable:
        return False
    return _Template(query, sql, values)


class Bound:
    """A prepared query with a call's arguments: iterate it, take `first()` or `count()`, or
    read it with `read_together`."""

    __slots__ = ("builder", "args", "template")

    def __init__(self, builder, args, template):
        self.builder, self.args, self.template = builder, args, template

    def query(self):
        """The same query built the peewee way with the arguments (any other use)."""
        return self.builder(*self.args)

    def _rows(self):
        """The rows from the kept text, or None when this call cannot use it."""
        template = self.template
        if not template:
            return None
        sqlite = is_sqlite()
        try:
            values = template.values_for(self.args, sqlite)
        except _NotPreparable:
            return None
        if CHECK:
            _check(self.builder, self.args, template, values)
        return template.rows(db.execute_sql(template.sql, values))

    def wrapped(self, name, wrap):
        """(text, values) of the statement `wrap(query)` for this call, its text kept with the
        query's as `name` (read_together counts or gathers a query this way); None when
        this call cannot use kept text."""
        template = self.template
        if not template:
            return None
        kept = template.wrapped.get(name)
        if kept is None:
            try:
                kept = db.get_sql_context().sql(wrap(template.query)).query()
            except _NotPreparable:
                kept = False
            template.wrapped[name] = kept
        if not kept:
            return None
        sqlite = is_sqlite()
        try:
            values = template.values_for(self.args, sqlite, kept[1])
        except _NotPreparable:
            return None
        if CHECK:
            _check(self.builder, self.args, _Template(None, kept[0], None), values, wrap)
        return kept[0], values

    def __iter__(self):
        rows = self._rows()
        return iter(rows if rows is not None else self.query())

    def first(self):
        """The first row (the builder limits its query), or None."""
        return next(iter(self), None)

    def count(self):
        """How many rows the query has."""
        part = self.wrapped("count", counted)
        if part is None:
            return self.query().count()
        return db.execute_sql(*part).fetchone()[0]


def counted(query):
    """SELECT COUNT(1) FROM (query) AS "counted"."""
    return Select(from_list=[query.order_by().alias("counted")], columns=[fn.COUNT(SQL("1"))])


def _check(builder, args, template, values, wrap=None):
    """Fail unless building with the real arguments gives the kept text and these values."""
    query = builder(*(_Valued(i, arg, isinstance(arg, _LISTS)) for i, arg in enumerate(args)))
    if wrap is not None:
        query = wrap(query)
    sql, expected = db.get_sql_context().sql(query).query()
    if sql != template.sql or list(expected) != values:
        raise AssertionError(
            f"prepared query {builder.__qualname__} differs from its query built with the "
            f"arguments {args!r}: it must take every value that varies as an argument.\n"
            f"kept: {template.sql} {values!r}\nbuilt: {sql} {list(expected)!r}")
