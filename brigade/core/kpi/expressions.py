"""SQL expressions that metrics use and the ORM lacks, written for both databases."""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, Func


class HoursBetween(Func):
    """``end - start`` in hours, as a number (an interval cannot be summed everywhere)."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return (
            f"((julianday({end_sql}) - julianday({start_sql})) * 24.0)",
            [*end_params, *start_params],
        )
