"""The records behind a figure: for a metric key (a split part included), a side (numerator
or denominator), a span (a week's figure, by the metric's window, or a period's) and a scope,
exactly the records the figure counts, with their count and the sum of their amounts.

Read from the same ``Flow`` the engine counts (its queryset, event time, cohort, unit,
amount and split; a ``sql`` flow's ``rows``), with the engine's rules for a week:

- ``ytd``: the events of the weeks of the week's year-to-date year (the year of its
  Sunday) up to the week's end whose cohort falls in that year;
- ``cumulative``: every event up to the week's end;
- ``week``: the events of the week;

and the period report's for a period: the events of the period, and for a flow with a
cohort, a cohort in the period too (for a stock, every event up to the period's end).

Apps say how one of their records is linked and labelled with ``describe``; the engine
knows no domain model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection
from django.db.models import Count, DateTimeField, F, Model, Q, QuerySet, Sum
from django.db.models.expressions import BaseExpression
from django.db.models.functions import ExtractYear, TruncWeek
from django.urls import reverse
from django.utils.functional import Promise

from brigade.core.kpi.registry import Flow, Metric, Sql, registry
from brigade.core.kpi.sql import field_at
from brigade.core.kpi.weeks import local_tz, week_key, week_range, week_start, ytd_year
from brigade.core.typing import Visitor

SIDES = ("n", "d")
ONE_DAY = dt.timedelta(days=1)
PLACES = Decimal("0.0001")  # the engine's flows keep 4 decimals


# --- how an app's records are shown ---------------------------------------------------------


@dataclass(frozen=True)
class Describer:
    """A model's record in a list of figures' records: its detail page and API, its label,
    and the relations the label reads (fetched with the page, not per row)."""

    page: Callable[[Model], str | None] | None = None
    api: Callable[[Model], str | None] | None = None
    label: Callable[[Model], str] = str
    related: tuple[str, ...] = ()


_DESCRIBERS: dict[str, Describer] = {}


def describe(
    model: type[Model] | str,
    *,
    page: Callable[[Model], str | None] | None = None,
    api: Callable[[Model], str | None] | None = None,
    label: Callable[[Model], str] = str,
    related: tuple[str, ...] = (),
) -> None:
    """Say how a record of ``model`` (a class or "app.Model") is linked and labelled."""
    name = model if isinstance(model, str) else model._meta.label
    _DESCRIBERS[name] = Describer(page=page, api=api, label=label, related=related)


def detail_url(route: str, attribute: str = "pk") -> Callable[[Model], str]:
    """A record's URL: the route's, with the record's ``attribute`` (its pk, or the id of
    the record whose page shows it: a callback's ticket)."""
    return lambda record: reverse(route, args=[getattr(record, attribute)])


Route = str | tuple[str, str]


def describe_urls(
    model: type[Model], page: Route | None, api: Route, *, related: tuple[str, ...] = ()
) -> None:
    """``describe`` a record linked to its detail page and its API by their routes' names;
    a route is taken with the record's pk, or a ``(route, attribute)`` with another id."""

    def url(route: Route) -> Callable[[Model], str]:
        return detail_url(route) if isinstance(route, str) else detail_url(*route)

    describe(model, page=url(page) if page else None, api=url(api), related=related)


def describer(model: type[Model]) -> Describer:
    return _DESCRIBERS.get(model._meta.label, Describer())


# --- which figure --------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A week's figure (``week``: its Monday) or a period's (``first`` to ``last``)."""

    week: dt.date | None = None
    first: dt.date | None = None
    last: dt.date | None = None

    def __post_init__(self) -> None:
        if (self.week is None) == (self.first is None or self.last is None):
            raise ValueError("a span is a week or a period")

    @property
    def is_week(self) -> bool:
        return self.week is not None

    def query(self) -> dict[str, str]:
        if self.week is not None:
            return {"week": week_key(self.week)}
        assert self.first is not None and self.last is not None
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def resolve(key: str, side: str) -> tuple[Metric, Flow, str]:
    """The declaration, the flow and the split part of a produced key's side; KeyError
    when the key is not produced or the side is not the metric's (a sum's denominator)."""
    if key not in registry.labels() or side not in SIDES:
        raise KeyError(key)
    metric = registry.owner(key)
    flow = metric.numerator if side == "n" else metric.denominator
    if flow is None:
        raise KeyError(key)
    return metric, flow, key.removeprefix(metric.key).removeprefix(".")


def within(model: type[Model], path: str, first: dt.date | None, last: dt.date | None) -> Q:
    """``path`` (a date or a datetime, read in local time) within [first, last] (None: no
    bound); the figures' lists and the period report filter their days with it."""
    q = Q()
    if isinstance(field_at(model, path), DateTimeField):
        tz = local_tz()
        if last is not None:
            q &= Q(**{f"{path}__lt": dt.datetime.combine(last + ONE_DAY, dt.time.min, tzinfo=tz)})
        if first is not None:
            q &= Q(**{f"{path}__gte": dt.datetime.combine(first, dt.time.min, tzinfo=tz)})
        return q
    if last is not None:
        q &= Q(**{f"{path}__lte": last})
    if first is not None:
        q &= Q(**{f"{path}__gte": first})
    return q


def _days(metric: Metric, flow: Flow, span: Span) -> tuple[dt.date | None, dt.date, int | None]:
    """The days (first or None, last) of the events a figure counts, and the cohort year
    they must have (a week's year-to-date figure)."""
    # the engine counts no event before the date window's first week (week_range)
    floor = week_range()[0]
    if span.week is not None:
        sunday = span.week + dt.timedelta(days=6)
        if metric.window == "week":
            return span.week, sunday, None
        if metric.window == "cumulative":
            return floor if flow.source is not None else None, sunday, None
        year = ytd_year(span.week)
        return max(week_start(dt.date(year, 1, 1)), floor), sunday, year
    assert span.first is not None and span.last is not None
    if metric.window == "cumulative":
        return floor if flow.source is not None else None, span.last, None
    return max(span.first, floor), span.last, None


# --- the records ----------------------------------------------------------------------------


@dataclass
class Row:
    """One record in the list: its id, what to call it, when its event was, its unit and
    its amount, and where to read it."""

    pk: int
    label: str
    when: dt.datetime | dt.date | None
    unit_id: int | None
    amount: Decimal
    page: str | None
    api: str | None


class Records:
    """The records of one figure: ``totals()`` (one query) and ``page()`` (one or two)."""

    def __init__(self, key: str, side: str, span: Span, unit_id: int | None) -> None:
        self.key, self.side, self.span, self.unit_id = key, side, span, unit_id
        self.metric, self.flow, self.part = resolve(key, side)

    @property
    def is_sum(self) -> bool:
        return self.flow.is_sum

    def bounds(self) -> tuple[dt.date | None, dt.date]:
        """The days the figure's events fall on, as a reader says it (a year to date from
        1 January); None: from the start."""
        first, last, year = _days(self.metric, self.flow, self.span)
        return (dt.date(year, 1, 1) if year is not None else first), last

    # --- a queryset flow

    def queryset(self) -> QuerySet[Model]:
        """The records the figure counts (a queryset flow), unordered."""
        flow = self.flow
        assert flow.source is not None
        qs = flow.source().order_by()
        model = qs.model
        first, last, year = _days(self.metric, flow, self.span)
        qs = qs.filter(within(model, flow.when, first, last))
        cohort = flow.cohort or flow.when
        if year is not None:
            qs = qs.filter(within(model, cohort, dt.date(year, 1, 1), dt.date(year, 12, 31)))
        elif not self.span.is_week and cohort != flow.when and self.metric.window != "cumulative":
            qs = qs.filter(within(model, cohort, self.span.first, self.span.last))
        if self.unit_id is not None:
            qs = qs.filter(**{flow.unit: self.unit_id})
        if flow.split:
            qs = qs.filter(**{flow.split: self.part})
        return qs

    def _queryset_totals(self) -> tuple[int, Decimal]:
        flow = self.flow
        qs = self.queryset()
        if flow.amount is None:
            count = qs.aggregate(n=Count("pk"))["n"]
            return count, Decimal(count)
        # the sum as the engine keeps it: per week, cohort and unit, to 4 decimals
        model, tz = qs.model, local_tz()
        is_datetime = isinstance(field_at(model, flow.when), DateTimeField)
        cohort = flow.cohort or flow.when
        group = {
            "w": TruncWeek(flow.when, tzinfo=tz) if is_datetime else TruncWeek(flow.when),
            "c": (
                ExtractYear(cohort, tzinfo=tz)
                if isinstance(field_at(model, cohort), DateTimeField)
                else ExtractYear(cohort)
            ),
            "u": F(flow.unit),
        }
        count, total = 0, Decimal(0)
        for row in qs.values(**group).annotate(n=Count("pk"), t=Sum(flow.amount)):
            count += row["n"]
            total += _amount(row["t"], rounded=True)
        return count, _amount(total)

    def _queryset_page(self, offset: int, limit: int) -> list[Row]:
        flow = self.flow
        return page_of(self.queryset(), flow.when, flow.unit, flow.amount, offset, limit)

    # --- a sql flow

    def _rows_sql(self) -> Sql:
        """The flow's rows of the figure, one per listed record: (pk, ref, day, unit_id,
        amount); a record whose events net to nothing is not listed."""
        flow = self.flow
        if flow.rows is None:
            raise KeyError(self.key)
        first, last, year = _days(self.metric, flow, self.span)
        units = frozenset({self.unit_id}) if self.unit_id is not None else None
        inner, params = flow.rows(connection, first, last, units)
        params = list(params)
        where = ""
        if year is not None:
            where = " WHERE r.cohort = %s"
            params.append(year)
        sql = (
            "SELECT r.pk AS pk, r.ref AS ref, MIN(r.day) AS day, r.unit_id AS unit_id, "
            f"SUM(r.amount) AS amount FROM ({inner}) r{where} "
            "GROUP BY r.pk, r.ref, r.unit_id HAVING SUM(r.amount) <> 0"
        )
        return sql, params

    def _sql_totals(self) -> tuple[int, Decimal]:
        sql, params = self._rows_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*), SUM(g.amount) FROM ({sql}) g", params)
            count, total = cursor.fetchone()
        return int(count or 0), _amount(total)

    def _sql_page(self, offset: int, limit: int) -> list[Row]:
        sql, params = self._rows_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT g.pk, g.day, g.unit_id, g.amount FROM ({sql}) g "
                "ORDER BY g.day DESC, g.pk DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            found = cursor.fetchall()
        model = apps.get_model(self.flow.rows_of)
        about = describer(model)
        records = model.objects.select_related(*about.related).in_bulk([r[0] for r in found])
        rows = []
        for pk, day, unit_id, amount in found:
            record = records.get(pk)
            if record is None:  # gone since the rows were read
                continue
            when = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
            rows.append(_row(about, record, when, unit_id, amount))
        return rows

    # --- either

    def totals(self) -> tuple[int, Decimal]:
        """(how many records, the sum of their amounts: the figure). One query."""
        if self.flow.source is not None:
            return self._queryset_totals()
        return self._sql_totals()

    def page(self, offset: int, limit: int) -> list[Row]:
        """The records from ``offset``, latest event first."""
        if self.flow.source is not None:
            return self._queryset_page(offset, limit)
        return self._sql_page(offset, limit)


def page_of(
    qs: QuerySet[Any],
    when: str,
    unit: str,
    amount: BaseExpression | F | None,
    offset: int,
    limit: int,
) -> list[Row]:
    """Rows ``offset`` on of a queryset of records, latest event first (one query)."""
    about = describer(qs.model)
    qs = qs.annotate(_kpi_when=F(when), _kpi_unit=F(unit))
    if amount is not None:
        qs = qs.annotate(_kpi_amount=amount)
    if about.related:
        qs = qs.select_related(*about.related)
    rows = []
    for record in qs.order_by("-_kpi_when", "-pk")[offset : offset + limit]:
        value = record._kpi_amount if amount is not None else 1
        rows.append(_row(about, record, record._kpi_when, record._kpi_unit, value))
    return rows


class QuerysetRecords:
    """The records of a count no metric has (the period report's own counts): a queryset
    of records, each counting one, with its event time and unit paths."""

    is_sum = False

    def __init__(
        self, qs: QuerySet[Model], when: str, unit: str, first: dt.date | None, last: dt.date
    ) -> None:
        self.qs, self.when, self.unit, self.first, self.last = qs, when, unit, first, last

    def bounds(self) -> tuple[dt.date | None, dt.date]:
        return self.first, self.last

    def totals(self) -> tuple[int, Decimal]:
        count = self.qs.order_by().aggregate(n=Count("pk"))["n"]
        return count, Decimal(count)

    def page(self, offset: int, limit: int) -> list[Row]:
        return page_of(self.qs, self.when, self.unit, None, offset, limit)


# --- lists of figures that are no metric's (an app's own page of counts) ----------------------

# (reader, Monday of the week, unit id or None, part: an app's narrower choice or "")
ListBuilder = Callable[[Visitor, dt.date, int | None, str], QuerysetRecords]


@dataclass(frozen=True)
class OwnList:
    label: str | Promise
    build: ListBuilder


_LISTS: dict[str, OwnList] = {}


def register_list(name: str, label: str | Promise, build: ListBuilder) -> None:
    """An app's week figure that no metric counts (the 12345 weekly summary's): ``build``
    returns the records it counts, from the same definition as the count."""
    _LISTS[name] = OwnList(label=label, build=build)


def own_list(name: str) -> OwnList:
    """KeyError for a name no app registered."""
    return _LISTS[name]


def _amount(value: Decimal | float | None, rounded: bool = False) -> Decimal:
    if value is None:
        return Decimal(0)
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if rounded and connection.vendor == "postgresql":
        # PostgreSQL keeps each weekly flow to 4 decimals (SQLite keeps the float)
        return amount.quantize(PLACES, rounding=ROUND_HALF_UP)
    return amount


def _row(
    about: Describer,
    record: Model,
    when: dt.datetime | dt.date | None,
    unit_id: int | None,
    amount: Decimal | float | None,
) -> Row:
    return Row(
        pk=record.pk,
        label=about.label(record),
        when=when,
        unit_id=unit_id,
        amount=_amount(amount),
        page=about.page(record) if about.page else None,
        api=about.api(record) if about.api else None,
    )


# --- where the list is ----------------------------------------------------------------------


def link_query(key: str, side: str, span: Span, unit_id: int | None) -> str:
    """The query string naming a figure's records (the API's and the page's)."""
    query: dict[str, str | int] = {"metric": key, "side": side, **span.query()}
    if unit_id is not None:
        query["unit"] = unit_id
    return urlencode(query)


def api_url(key: str, side: str, span: Span, unit_id: int | None) -> str:
    """The records API's list of a figure's records (its ``count``/``total`` is the figure)."""
    return f"{reverse('dashboard-api:records')}?{link_query(key, side, span, unit_id)}"


def page_url(key: str, side: str, span: Span, unit_id: int | None) -> str:
    """The page listing a figure's records."""
    return f"{reverse('dashboard_records')}?{link_query(key, side, span, unit_id)}"
