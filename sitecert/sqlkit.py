"""Hot queries compiled once: the ORM writes the SQL of a query's shape the first time, later calls only run it.

Building a many-join query costs Django several milliseconds of Python per request, more than the database
takes to answer it: on the endpoints a deadline rush hits (verification, heartbeats) that was most of the
request. `Compiled` keeps the SQL and the column converters of one queryset shape per database and fills in
the values of each call. The values must be text (they stand in the compiled query for marks the ORM passed
through untouched); anything else the queryset needs is fixed when it is first built.
"""

from collections.abc import Callable, Sequence

from django.db import connections, router
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
        if sorted(name for name in slots if name is not None) != sorted(names):
            raise ValueError(f"every value must appear once in the query as given: {names}")
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


def update(model: type[Model], pk: int, **values: object) -> None:
    """UPDATE one row by primary key, the values adapted by their fields as `save()` would, with no query
    object built (for the same reason as `Compiled`)."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s", [*params, pk]
        )


def add(model: type[Model], keys: dict[str, object], name: str, amount: int) -> int:
    """Add `amount` to a counter column of the row with these unique `keys`, creating it when missing, in one
    statement (PostgreSQL and SQLite's upsert); returns the counter's new value."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(key) for key in keys]
    counter = quote(meta.get_field(name).column)
    table, key_columns = quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    params = [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, keys.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_columns}, {counter}) VALUES ({', '.join(['%s'] * (len(fields) + 1))}) "
            f"ON CONFLICT ({key_columns}) DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter} "
            f"RETURNING {counter}",
            [*params, amount],
        )
        return cursor.fetchone()[0]


def columns(model: type[Model], via: str = "") -> list[str]:
    """A model's concrete fields for `values_list()`, reached through the relation `via` when given; a row of
    them makes the instance back with `instance()`."""
    return [f"{via}__{field.attname}" if via else field.attname for field in model._meta.concrete_fields]


def instance(model: type[Model], values: Sequence) -> Model:
    """The model instance of a row of `columns(model)`, as the ORM itself makes them (`Model.from_db`)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(router.db_for_read(model), names, values)
