"""Hot queries compiled once: the ORM writes the SQL of a query's shape the first time, later calls only run it.

Building a many-join query costs Django several milliseconds of Python per request, more than the database
takes to answer it: on the endpoints a deadline rush hits (verification, heartbeats) that was most of the
request. `Compiled` keeps the SQL and the column converters of one queryset shape per database and fills in
the values of each call. The values must be text (they stand in the compiled query for marks the ORM passed
through untouched); anything else the queryset needs is fixed when it is first built.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet


class Compiled:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build  # keyword arguments (text) -> the queryset, the same shape for every value
        self._plans: dict[str, tuple] = {}

    def _plan(self, names: tuple[str, ...]) -> tuple:
        marks = {name: f"\x00{name}\x00" for name in names}
        queryset = self.build(**marks)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        slots = [_name_of(param, marks) for param in params]
        if {name for name in slots if name is not None} != set(names):
            raise ValueError(f"every value must appear in the query as given: {names}")
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        return queryset.db, sql, params, slots, compiler, converters

    def rows(self, **values: str) -> list[tuple]:
        """The queryset's rows for these values, as tuples in its `values_list()` order."""
        names = tuple(sorted(values))
        plan = self._plans.get(names)
        if plan is None:
            plan = self._plans[names] = self._plan(names)
        alias, sql, params, slots, compiler, converters = plan
        filled = [values[name] if name else param for param, name in zip(params, slots, strict=True)]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, filled)
            found = cursor.fetchall()
        return list(compiler.apply_converters(found, converters)) if converters else found


def _name_of(param: object, marks: dict[str, str]) -> str | None:
    return next((name for name, mark in marks.items() if param == mark), None)


class Update:
    """UPDATE one row by primary key, the values adapted by their fields as `save()` would, with no query
    object built (for the same reason as `Compiled`; the text is made once per shape)."""

    def __init__(self, model: type[Model], pk: int, **values: object):
        self.model, self.pk, self.values = model, pk, values

    def sql(self, connection, when: str = "", expected: dict | None = None) -> tuple[str, list]:
        """The statement; `expected` adds the values the row must still hold, `when` one more condition."""
        expected = expected or {}
        text = _update_text(connection.alias, self.model, tuple(self.values), tuple(expected), when)
        params = _prepared(connection, self.model, self.values)
        return text, [*params, self.pk, *_prepared(connection, self.model, expected)]


class Add:
    """Add `amount` to a counter column of the row with these unique `keys`, creating it when missing, in one
    statement (PostgreSQL and SQLite's upsert)."""

    def __init__(self, model: type[Model], keys: dict[str, object], name: str, amount: int):
        self.model, self.keys, self.name, self.amount = model, keys, name, amount

    def sql(self, connection, when: str = "") -> tuple[str, list]:
        text = _add_text(connection.alias, self.model, tuple(self.keys), self.name, when)
        return text, _prepared(connection, self.model, {**self.keys, self.name: self.amount})


@lru_cache(maxsize=256)
def _update_text(alias: str, model: type[Model], names: tuple, checks: tuple, when: str) -> str:
    quote, meta = connections[alias].ops.quote_name, model._meta
    sets = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    where = [f"{quote(meta.pk.column)} = %s", *(f"{quote(meta.get_field(n).column)} = %s" for n in checks)]
    return f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {' AND '.join([*where, *filter(None, [when])])}"


@lru_cache(maxsize=256)
def _add_text(alias: str, model: type[Model], keys: tuple, name: str, when: str) -> str:
    connection = connections[alias]
    quote, meta = connection.ops.quote_name, model._meta
    fields = [meta.get_field(key) for key in keys] + [meta.get_field(name)]
    table, counter = quote(meta.db_table), quote(fields[-1].column)
    columns = ", ".join(quote(field.column) for field in fields[:-1])
    if when:  # typed marks: in INSERT … SELECT the database cannot take a mark's type from its column
        marks = ", ".join(f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields)
        source = f"SELECT {marks} WHERE {when}"
    else:
        source = f"VALUES ({', '.join(['%s'] * len(fields))})"
    return (
        f"INSERT INTO {table} ({columns}, {counter}) {source} "
        f"ON CONFLICT ({columns}) DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter}"
    )


def _prepared(connection, model: type[Model], values: dict) -> list:
    meta = model._meta
    return [meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()]


def _execute(model: type[Model], sql: str | bytes, params: list):
    """The first row of what the statement returns, or the number of rows it changed."""
    with connections[router.db_for_write(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else cursor.rowcount


def update_if(
    guard: Update, expected: dict, *, then: Sequence[Update | Add] = (), holds: tuple[str, list] = ("", [])
) -> bool:
    """Compare and set: update the guard's row only while it still holds the `expected` values (and the
    condition `holds`, SQL and its values, is true), and the `then` statements only when it did; all or
    nothing. On PostgreSQL it is one statement (data-modifying WITH clauses: one round trip, atomic by itself,
    no BEGIN or COMMIT), elsewhere a short transaction. False when the row had changed: nothing was written.
    The expected values are never None (`= NULL` is never true)."""
    if None in expected.values():
        raise ValueError(f"an expected value is None: {expected}")
    alias = router.db_for_write(guard.model)
    connection = connections[alias]
    sql, params = guard.sql(connection, when=holds[0], expected=expected)
    params += holds[1]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=alias):
            if _execute(guard.model, sql, params) != 1:
                return False
            for statement in then:
                _execute(statement.model, *statement.sql(connection))
        return True
    texts = []
    for statement in then:
        text, more = statement.sql(connection, when="EXISTS (SELECT 1 FROM guard)")
        texts.append(text)
        params += more
    return _execute(guard.model, _with_text(sql, tuple(texts)), params)[0] == 1


@lru_cache(maxsize=256)
def _with_text(guard: str, then: tuple[str, ...]) -> bytes:
    """The one statement of `update_if`, made once per shape, and as bytes: psycopg then neither encodes it
    again nor hashes a new copy to find its prepared form (a heartbeat's statement is over 1 KB)."""
    parts = [f"guard AS ({guard} RETURNING 1)", *(f"w{n} AS ({text})" for n, text in enumerate(then))]
    return f"WITH {', '.join(parts)} SELECT count(*) FROM guard".encode()


def columns(model: type[Model], via: str = "") -> list[str]:
    """A model's concrete fields for `values_list()`, reached through the relation `via` when given; a row of
    them makes the instance back with `instance()`."""
    return [f"{via}__{field.attname}" if via else field.attname for field in model._meta.concrete_fields]


def instance(model: type[Model], values: Sequence) -> Model:
    """The model instance of a row of `columns(model)`, as the ORM itself makes them (`Model.from_db`)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(router.db_for_read(model), names, values)
