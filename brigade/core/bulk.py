"""Writing many rows' fields at once.

Django's ``bulk_update`` writes one ``CASE WHEN pk = … THEN …`` per field and row: for a
few hundred rows of a dozen fields the ORM spends most of a second building expressions.
On PostgreSQL ``update_rows`` sends the rows as a ``VALUES`` list instead (one statement per
batch, each value cast to its column's type); elsewhere it is ``bulk_update``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models

BATCH = 1000


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Write ``fields`` of the rows of ``model`` each ``(pk, value, …)`` of ``rows`` names
    (values in the order of ``fields``): no ``save()``, no signals, as ``bulk_update``.
    Returns how many rows were written."""
    if not rows:
        return 0
    connection = connections[using]
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field), name  # a concrete column
        columns.append(field)
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in columns]
        objects = [model(pk=row[0], **dict(zip(attnames, row[1:], strict=True))) for row in rows]
        return model._default_manager.using(using).bulk_update(objects, fields, batch_size=500)
    pk = meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    casts = [f"%s::{pk.db_type(connection)}"] + [
        f"%s::{field.db_type(connection)}" for field in columns
    ]
    values = "(" + ", ".join(casts) + ")"
    names = ", ".join(quote(str(field.column)) for field in [pk, *columns])
    assignments = ", ".join(f"{quote(str(f.column))} = v.{quote(str(f.column))}" for f in columns)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            params: list[Any] = []
            for row in batch:
                params.append(pk.get_db_prep_save(row[0], connection))
                for field, value in zip(columns, row[1:], strict=True):
                    params.append(field.get_db_prep_save(value, connection))
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([values] * len(batch))}) AS v({names}) "
                f"WHERE t.{quote(str(pk.column))} = v.{quote(str(pk.column))}",
                params,
            )
            written += cursor.rowcount
    return written
