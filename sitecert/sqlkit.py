"""Hot queries compiled once: the ORM writes the SQL of a query's shape the first time, later calls only run it.

Building a many-join query costs Django several milliseconds of Python per request, more than the database
takes to answer it: on the endpoints a deadline rush hits (verification, heartbeats) that was most of the
request. `Compiled` keeps the SQL and the column converters of one queryset shape per database and fills in
the values of each call. The values must be text (they stand in the compiled query for marks the ORM passed
through untouched); anything else the queryset needs is fixed when it is first built.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet


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
