"""SQL pieces the KPI engine's queries share: quoting, value adaptation, date expressions
for both database vendors, and the memory a transaction's grouped queries get."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import connection
from django.db.models import Field, ForeignObjectRel, Model
from django.db.models.constants import LOOKUP_SEP

# A value a query takes as a parameter.
SqlValue = int | float | Decimal | str | bytes | dt.date | UUID | None


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def db_datetime(value: dt.datetime) -> str | None:
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date) -> str | None:
    return connection.ops.adapt_datefield_value(value)


def as_date(sql: str) -> str:
    """A timestamp (or date text on SQLite) as a date."""
    if connection.vendor == "sqlite":
        return f"date({sql})"
    return f"CAST({sql} AS DATE)"


def week_of_date(sql: str) -> str:
    """The Monday of a date's ISO week."""
    if connection.vendor == "sqlite":
        return f"date({sql}, 'weekday 0', '-6 days')"
    return f"CAST(DATE_TRUNC('week', {sql}) AS DATE)"


# Memory for the grouped queries and the rollup grid of one transaction (PostgreSQL): the
# server's default (4MB) spills the patrols' hash join and the grid's aggregate to disk.
WORK_MEM = "64MB"


def roomy() -> None:
    """Give the current transaction's grouped queries ``WORK_MEM`` (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


def field_at(
    model: type[Model], path: str
) -> Field[object, object] | ForeignObjectRel | GenericForeignKey:
    """The model field at the end of a ``a__b__c`` path."""
    *relations, name = path.split(LOOKUP_SEP)
    for relation in relations:
        related = model._meta.get_field(relation).related_model
        assert isinstance(related, type), f"{relation} of {model} is not a relation"
        model = related
    return model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
