"""Querysets compiled once and run again with other values.

Compiling a queryset (filters, joins, aggregates) costs the ORM about a millisecond; a small
indexed query on PostgreSQL runs in less. A short, frequent writer (the black spots' update
after each accident) builds the same few querysets every time with other values: a
``Prepared`` compiles its queryset once per database vendor and time zone, and binds the
values of each run to the compiled SQL.

- ``build`` must hand each value to the ORM as it is (a value it transforms first, say
  lower-cased, is usually caught and then compiled every time, but not always).
- The values are named: ``build(**slots)`` builds the queryset from stand-ins of the values,
  and each stand-in is found again among the compiled parameters by its unlikely value (a
  list: a list of one unlikely value). A value the ORM changed on its way in (a stand-in not found)
  or a shape that depends on the values (an empty list) is not cached: it is compiled every
  time, so the answer is always the ORM's.
- Lists go in as ONE parameter with ``__any_of`` (``= ANY(%s)`` on PostgreSQL), so that the
  SQL does not depend on their length. Elsewhere ``__any_of`` is ``__in``, and nothing is
  cached.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, models
from django.db.models.lookups import In
from django.utils import timezone


@models.Field.register_lookup
class AnyOf(In):
    """``field__any_of=[...]``: ``field = ANY(%s)`` with the list as one array parameter on
    PostgreSQL (the same SQL for any length); ``IN (...)`` elsewhere."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


class _Slots:
    """Stand-ins for named values, each one that cannot be mistaken for a constant."""

    _numbers = itertools.count(1)

    def __init__(self, values: dict[str, Any]) -> None:
        self.by_name = {name: self._stand_in(value) for name, value in values.items()}

    def _stand_in(self, value: Any) -> Any:
        n = next(self._numbers)
        if isinstance(value, list):
            # one stand-in of the first value's kind (the ORM copies the list on its way)
            return [self._stand_in(value[0])]
        if isinstance(value, dt.datetime):
            return dt.datetime(1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=n + 7919)
        if isinstance(value, dt.date):
            return dt.date(1, 1, 1) + dt.timedelta(days=n + 7919)
        if isinstance(value, bool):
            raise TypeError("a boolean cannot be told from a constant")
        if isinstance(value, int):
            return -9_000_000_000_000 - n
        if isinstance(value, str):
            return f"\x00Slot{n}\x00"  # capitals and NULs: a value changed shows
        raise TypeError(f"no stand-in for {type(value).__name__}")

    def find(self, param: Any) -> str | None:
        for name, stand_in in self.by_name.items():
            if type(param) is type(stand_in) and param == stand_in:
                return name
        return None


class Prepared:
    """``build(**values)`` → a queryset (of ``values_list`` rows); ``rows(**values)`` runs it.

    The compiled SQL is kept per database, vendor and current time zone (a date or hour
    in the SQL may depend on it)."""

    def __init__(self, build: Callable[..., models.QuerySet[Any]]) -> None:
        self.build = build
        self._compiled: dict[tuple[str, str], tuple[str, list[Any]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _cacheable(using: str, values: dict[str, Any]) -> bool:
        return connections[using].vendor == "postgresql" and not any(
            v is None or (isinstance(v, list) and not v) for v in values.values()
        )

    def _orm(self, using: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
        sql, params = self.build(**values).using(using).query.sql_with_params()
        return sql, list(params)

    def sql(self, using: str = "default", **values: Any) -> tuple[str, list[Any]]:
        """The SQL and its parameters for these values."""
        if not self._cacheable(using, values):
            return self._orm(using, values)
        key = (using, timezone.get_current_timezone_name())
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(using, values)
            if compiled is None:  # a value the ORM changed: compiled every time
                return self._orm(using, values)
            with self._lock:
                self._compiled[key] = compiled
        sql, order = compiled
        return sql, [values[item] if isinstance(item, str) else item[0] for item in order]

    def _compile(self, using: str, values: dict[str, Any]) -> tuple[str, list[Any]] | None:
        slots = _Slots(values)
        sql, params = self.build(**slots.by_name).using(using).query.sql_with_params()
        order: list[Any] = []
        found: set[str] = set()
        for param in params:
            name = slots.find(param)
            if name is None:
                order.append((param,))  # a constant of the query
            else:
                order.append(name)
                found.add(name)
        return (sql, order) if found == set(values) else None

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The rows: from the cursor when the SQL is kept (PostgreSQL: as the driver gives
        them, without the fields' converters, so JSON is text), else the ORM's."""
        if not self._cacheable(using, values):
            return list(self.build(**values).using(using))
        sql, params = self.sql(using, **values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
