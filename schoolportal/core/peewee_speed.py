"""Two corrections to peewee (4.5) that make building SQL text several times cheaper.

1. `x.in_(subquery)` asks peewee whether the right-hand side is empty, and for anything that
   is not a Python list it answers by rendering the whole subquery to text and comparing it
   with "()". The subquery is then rendered a second time for the statement itself, so each
   level of nested `IN (SELECT ...)` doubles the work: our visibility rules (pupils of the
   user's groups, posts of those groups...) nest two or three deep, and building their text
   was two thirds of a page's CPU (issue 22). A SELECT never renders as "()", so for a query
   the answer is known without rendering it; every other right-hand side keeps peewee's own
   check.

2. Every column reference (`"t1"."title"`) goes through five nested renderings in peewee: the
   field makes a new Column, the Column enters a column scope, the table looks up its alias
   and quotes it as an Entity, and the name is quoted as another Entity. A page's statements
   hold several hundred column references, and this was a quarter of a page's CPU after (1).
   For a field of a model's own table or of a model alias (nearly every reference), the same
   text is written at once: the alias comes from the same alias manager, in the same order,
   so the statement is the same string. Anything else (a subquery's column, the VALUES scope
   of an INSERT, another quoting style) keeps peewee's own path.
   tests/core/test_peewee_speed.py renders every query of the demo school's pages both ways.
"""

from peewee import SCOPE_VALUES, Column, Expression, Field, ModelAlias, SelectBase, Table

_peewee_is_rhs_empty = Expression._is_rhs_empty
_peewee_field_sql = Field.__sql__
_peewee_column_sql = Column.__sql__


def _is_rhs_empty(self, rhs, ctx):
    """False at once for a subquery; peewee's own check for anything else."""
    if isinstance(rhs, SelectBase):
        return False
    return _peewee_is_rhs_empty(self, rhs, ctx)


def _quoted(name):
    return '"' + name.replace('"', '""') + '"'


def _reference(ctx, source, name):
    """Write `"alias"."name"` for a column of a table or model alias, as peewee would; None
    when peewee's own path has to do it."""
    state = ctx.state
    if state.scope == SCOPE_VALUES or (state.quote or '""') != '""':
        return None
    kind = type(source)
    if kind is Table:
        if source._alias:
            ctx.alias_manager[source] = source._alias
    elif kind is ModelAlias:
        if source.alias:
            ctx.alias_manager[source] = source.alias
    else:
        return None
    ctx._sql.append(_quoted(ctx.alias_manager[source]) + "." + _quoted(name))
    return ctx


def _field_sql(self, ctx):
    """A model field's column reference, written at once."""
    done = _reference(ctx, self.model._meta.table, self.column_name)
    return done if done is not None else _peewee_field_sql(self, ctx)


def _column_sql(self, ctx):
    """A Column of a table or model alias, written at once."""
    done = _reference(ctx, self.source, self.name)
    return done if done is not None else _peewee_column_sql(self, ctx)


def install():
    """Use the cheaper paths (idempotent)."""
    Expression._is_rhs_empty = _is_rhs_empty
    Field.__sql__ = _field_sql
    Column.__sql__ = _column_sql


def uninstall():
    """peewee's own paths again (for the test that compares both)."""
    Expression._is_rhs_empty = _peewee_is_rhs_empty
    Field.__sql__ = _peewee_field_sql
    Column.__sql__ = _peewee_column_sql
