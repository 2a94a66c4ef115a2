"""The numbers of a period report, in a fixed number of grouped queries.

A figure backed by a metric counts what the metric's flow counts (its queryset, event time,
unit, amount and split: ``brigade.core.kpi.registry.Flow``), for the events of the period:

- the event time falls in the period (for a stock such as love stations in service, any
  time up to the period's end: the metric's ``cumulative`` window);
- for a flow with a cohort ("verified by the end / found this year"), the cohort time falls
  in the period too: the rectification rate of 1 January to 13 June is the hazards found
  in those days that were verified by 13 June, exactly the dashboard's year-to-date figure
  of the week that ends on 13 June.

Where the KPI engine has already counted a week (its weekly flows), the report reads that
count rather than the records: every whole ISO week of the period that the engine's grid
covers and that no change has marked for a recompute since (``KpiDirty``). The flows keep
each event's cohort year, which gives two more things: a week that a new year splits is
read in part (a report of a calendar year reads only weekly flows, but for the days after
its last Sunday of the events with a cohort); and a period that does not start on
1 January reads the flows of its weeks for the cohorts of its years, less the events whose
cohort came before its first day (counted from the records). The days before the first
week read and after the last, and the weeks marked, are counted from the records. So the
report reads the engine's work where it fits and the records where it must, and both give
the same numbers (tested, and checked by bench/report.py at a city's scale). Like the
dashboard, it relies on the engine's change tracking: every save marks its weeks at once;
rows written around the ORM (a bulk SQL load) need a recompute before they are counted
in weeks the engine had already counted.

Queries, whatever the period, scope and number of records: the engine's grid (1), the
weeks marked (1), the weekly flows (1), one UNION ALL of grouped queries per app for the
days read from the records (at most 5), and the counts no metric has (4). Fewer when a
part has nothing to read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    Q,
    QuerySet,
    Sum,
)
from django.db.models import Value as V
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, ExtractIsoYear, ExtractWeek, ExtractYear
from django.utils.functional import Promise

from brigade.core.columns import columns
from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiWeek
from brigade.core.kpi.records import QuerysetRecords, within
from brigade.core.kpi.registry import Flow, Metric, registry
from brigade.core.kpi.sql import field_at
from brigade.core.kpi.weeks import local_tz, week_range, week_start
from brigade.core.report.figures import (
    FIGURES,
    C,
    Counted,
    Figure,
    M,
    Records,
    Ref,
    report_registry,
)
from brigade.core.report.period import Period

ZERO = Decimal(0)
AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=4)
ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)

DateRange = tuple[dt.date | None, dt.date]  # (first or None for "from the start", last)


# --- what to read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """One side of one metric: all the figures that read it, one read."""

    metric: Metric
    side: str

    @property
    def name(self) -> str:
        return f"{self.metric.key}:{self.side}"

    @property
    def flow(self) -> Flow:
        flow = self.metric.numerator if self.side == "n" else self.metric.denominator
        if flow is None or flow.source is None:
            raise ValueError(f"{self.name}: the report reads queryset flows only")
        return flow

    @property
    def has_cohort(self) -> bool:
        """Counted by a cohort other than its event time (verified of those found ...)."""
        return bool(self.flow.cohort and self.flow.cohort != self.flow.when)

    @property
    def cumulative(self) -> bool:
        """A stock: every event up to the period's end."""
        return self.metric.window == "cumulative"

    def part(self, key: str) -> str:
        """The split part a produced key names ("" for an unsplit metric)."""
        return key.removeprefix(self.metric.key).removeprefix(".")


def _needs(refs: Iterable[Ref]) -> dict[M, Need]:
    out = {}
    for ref in refs:
        if isinstance(ref, M):
            out[ref] = Need(registry.owner(ref.key), ref.side)
    return out


@dataclass
class Plan:
    """For one need: the weeks read from the engine's flows, the days from the records."""

    need: Need
    flow_weeks: tuple[dt.date, dt.date] | None = None  # Mondays, inclusive
    skip_weeks: frozenset[dt.date] = frozenset()
    cohort_years: tuple[int, int] | None = None
    raw: list[DateRange] = field(default_factory=list)
    # days of the flows' weeks whose events of an earlier cohort (of the period's first
    # year, before its first day) the flows counted and the report must not
    minus: list[DateRange] = field(default_factory=list)


def _whole_weeks(first: dt.date | None, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last Monday of the whole ISO weeks inside [first, last]."""
    end = last - dt.timedelta(days=(last.weekday() + 1) % 7)  # the last Sunday ≤ last
    last_monday = end - dt.timedelta(days=6)
    if first is None:
        return (dt.date.min, last_monday)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    if first_monday > last_monday:
        return None
    return (first_monday, last_monday)


def _new_year(day: dt.date) -> bool:
    return (day.month, day.day) == (1, 1)


def _plan(
    need: Need,
    period: Period,
    grid: tuple[dt.date, dt.date] | None,
    dirty: frozenset[dt.date],
) -> Plan:
    start = None if need.cumulative else period.first
    plan = Plan(need)
    by_cohort = need.has_cohort and not need.cumulative
    if grid is None:
        plan.raw = [(start, period.last)]
        return plan
    # The weekly flows keep each event's cohort year, so a week that a new year splits can
    # be read in part. A flow without a cohort is counted in the year of its event: the
    # days before and after the new year come apart. A flow with a cohort is counted in
    # the year of its cohort, which comes before its event: only the days after the new
    # year come apart (a ticket of 30 December closed on 2 January counts for the old year).
    lo_day = week_start(start) if start is not None and _new_year(start) else start
    hi_day = period.last
    if (period.last.month, period.last.day) == (12, 31) and not by_cohort:
        hi_day = week_start(period.last) + dt.timedelta(days=6)
    whole = _whole_weeks(lo_day, hi_day)
    lo, hi = (max(whole[0], grid[0]), min(whole[1], grid[1])) if whole else (grid[1], grid[0])
    if lo > hi:
        plan.raw = [(start, period.last)]
        return plan
    plan.flow_weeks = (lo, hi)
    plan.skip_weeks = frozenset(m for m in dirty if lo <= m <= hi)
    # the period's years: a cohort's, or (no cohort) the event's own
    plan.cohort_years = (start.year if start else dt.MINYEAR, period.last.year)
    if by_cohort and not _new_year(period.first):
        # The flows count the cohorts of whole years: from the events of their weeks, take
        # away those whose cohort came before the period's first day in its first year.
        plan.minus = _merged(
            [
                (monday, monday + dt.timedelta(days=6))
                for monday in _mondays(lo, hi)
                if monday not in plan.skip_weeks
            ]
        )
    # the records fill in around the weeks read from the flows, and the weeks marked
    ranges: list[DateRange] = []
    if start is None or start < lo:
        ranges.append((start, lo - ONE_DAY))
    for monday in sorted(plan.skip_weeks):
        first = monday if start is None else max(monday, start)
        ranges.append((first, min(monday + dt.timedelta(days=6), period.last)))
    if hi + dt.timedelta(days=6) < period.last:
        ranges.append((hi + ONE_WEEK, period.last))
    plan.raw = _merged(ranges)
    return plan


def _mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]


def _merged(ranges: list[DateRange]) -> list[DateRange]:
    out: list[DateRange] = []
    for first, last in sorted(ranges, key=lambda r: (r[0] or dt.date.min, r[1])):
        if out and out[-1][1] + ONE_DAY >= (first or dt.date.min):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


# --- the engine's side ----------------------------------------------------------------------


def _grid() -> tuple[dt.date, dt.date] | None:
    """The weeks the engine's flows cover (its grid is contiguous). One query."""
    bounds = KpiWeek.objects.aggregate(first=Min("monday"), last=Max("monday"))
    if bounds["first"] is None:
        return None
    return bounds["first"], bounds["last"]


def _flows(plans: list[Plan], unit_id: int | None) -> dict[tuple[str, str, str], Decimal]:
    """Sums of the engine's weekly flows: {(metric key, side, part): amount}. One query.

    The plans share a few week ranges (the period's whole weeks; with the week a new year
    splits for a flow without a cohort; from the start for a stock): the query selects
    those weeks of the metric sides read, grouped by metric, side and cohort year; each
    plan then takes its cohort years from the rows.
    """
    ranges: dict[tuple[dt.date, dt.date, frozenset[dt.date], str], set[str]] = defaultdict(set)
    for plan in plans:
        if plan.flow_weeks is not None:
            group = (*plan.flow_weeks, plan.skip_weeks, plan.need.side)
            ranges[group].update(plan.need.metric.keys())
    if not ranges:
        return {}
    condition = Q()
    for (first, last, skip, side), keys in ranges.items():
        weeks = Q(metric__in=sorted(keys), side=side, week__gte=first, week__lte=last)
        if skip:
            weeks &= ~Q(week__in=sorted(skip))
        condition |= weeks
    rows = KpiFlow.objects.order_by().filter(condition)
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    totals: dict[tuple[str, str], list[tuple[int, Decimal]]] = defaultdict(list)
    for row in rows.values("metric", "side", "cohort_year").annotate(total=Sum("amount")):
        totals[(row["metric"], row["side"])].append((row["cohort_year"], row["total"]))
    out: dict[tuple[str, str, str], Decimal] = {}
    for plan in plans:
        if plan.flow_weeks is None:
            continue
        metric, years = plan.need.metric, plan.cohort_years
        for key in metric.keys():  # noqa: SIM118 - a Metric, not a mapping
            amount = sum(
                (
                    Decimal(total or 0)
                    for year, total in totals.get((key, plan.need.side), [])
                    if years is None or years[0] <= year <= years[1]
                ),
                ZERO,
            )
            part = key.removeprefix(metric.key).removeprefix(".")
            out[(metric.key, plan.need.side, part)] = amount
    return out


# --- the records' side ----------------------------------------------------------------------


def _bounds(model: type[Model], path: str, first: dt.date | None, last: dt.date) -> Q:
    """``path`` (a date or a datetime, read in local time) within [first, last]; from the
    start: from the date window's first week, as the engine counts (``week_range``)."""
    return within(model, path, week_range()[0] if first is None else first, last)


def _raw_query(
    plan: Plan,
    days: list[DateRange],
    cohort: tuple[dt.date, dt.date] | None,
    unit_id: int | None,
    label: str,
) -> QuerySet[Any]:
    """One grouped query: (k = ``label``, s = split part, t = amount) of the events of the
    plan's flow on ``days`` whose cohort (if given) falls within ``cohort``.

    A sum is grouped as the engine keeps it, by week, cohort year and unit (y, w, c, u),
    each group cast to 4 decimals: the days read here then add up to what the weekly flows
    and the figure's records list give (hours to the ten-thousandth, not the hundredth).
    A count needs no such grouping (the columns are constant, for the UNION)."""
    flow = plan.need.flow
    assert flow.source is not None
    qs = flow.source().order_by()
    model = qs.model
    when = Q()
    for first, last in days:
        when |= _bounds(model, flow.when, first, last)
    qs = qs.filter(when)
    if cohort is not None:
        assert flow.cohort is not None
        qs = qs.filter(_bounds(model, flow.cohort, *cohort))
    if unit_id is not None:
        qs = qs.filter(**{flow.unit: unit_id})
    split = F(flow.split) if flow.split else V("", output_field=CharField())
    group: dict[str, Combinable] = {"k": V(label, output_field=CharField()), "s": split}
    if flow.amount is None:
        none = V(0, output_field=IntegerField())
        group.update(y=none, w=none, c=none, u=none)
        return qs.values(**group).annotate(t=Cast(Count("pk"), AMOUNT))
    tz = local_tz() if isinstance(field_at(model, flow.when), DateTimeField) else None
    cohort_path = flow.cohort or flow.when
    cohort_tz = local_tz() if isinstance(field_at(model, cohort_path), DateTimeField) else None
    group.update(
        y=ExtractIsoYear(flow.when, tzinfo=tz),
        w=ExtractWeek(flow.when, tzinfo=tz),
        c=ExtractYear(cohort_path, tzinfo=cohort_tz),
        u=F(flow.unit),
    )
    return qs.values(**group).annotate(t=Cast(Sum(flow.amount), AMOUNT))


# a flow read on some days, with the cohort its records must fall in (if any)
SharedRead = tuple[Flow, tuple[DateRange, ...], tuple[dt.date, dt.date] | None]


def _records(
    plans: list[Plan], period: Period, unit_id: int | None
) -> dict[tuple[str, str, str], Decimal]:
    """The plans' days counted from the records (and the earlier cohorts taken away from
    the flows' weeks): one UNION ALL per app. Metrics that share a flow (tickets received:
    the count, and the closure and feedback rates' base) share its query."""
    year_start = dt.date(period.first.year, 1, 1)
    shared: dict[SharedRead, list[tuple[Plan, int]]] = defaultdict(list)
    for plan in plans:
        by_cohort = plan.need.has_cohort and not plan.need.cumulative
        cohort = (period.first, period.last) if by_cohort else None
        if plan.raw:
            shared[(plan.need.flow, tuple(plan.raw), cohort)].append((plan, 1))
        if plan.minus:
            earlier = (year_start, period.first - ONE_DAY)
            shared[(plan.need.flow, tuple(plan.minus), earlier)].append((plan, -1))
    by_app: dict[str, list[QuerySet[Any]]] = defaultdict(list)
    readers: list[list[tuple[Plan, int]]] = []
    for (_flow, days, cohort), members in shared.items():
        label = str(len(readers))
        readers.append(members)
        plan = members[0][0]
        by_app[plan.need.metric.app].append(_raw_query(plan, list(days), cohort, unit_id, label))
    out: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for queries in by_app.values():
        union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for row in union:
            if row["t"] is None:
                continue
            for plan, sign in readers[int(row["k"])]:
                key = (plan.need.metric.key, plan.need.side, row["s"] or "")
                out[key] += sign * Decimal(row["t"])
    return dict(out)


# --- counts no metric has: each app's, from the queryset of the records it counts ----------


def in_period(
    source: Callable[[], QuerySet[Model]],
    when: str,
    unit: str = "unit_id",
    related: tuple[str, ...] = ("unit",),
) -> Callable[[Period, int | None], QuerySet[Model]]:
    """The rows of a list of records: those of ``source`` (a metric's flow's, where the
    list is what a metric counts) whose ``when`` (a date or a datetime, read in local time)
    falls in the period, of the unit (``unit``: the path of its id), in order of ``when``."""

    def rows(period: Period, unit_id: int | None) -> QuerySet[Model]:
        qs = source()
        qs = qs.filter(_bounds(qs.model, when, period.first, period.last))
        if unit_id is not None:
            qs = qs.filter(**{unit: unit_id})
        return qs.select_related(*related).order_by(when, "pk")

    return rows


def flow_in_period(
    flow: Flow, related: tuple[str, ...] = ("unit",)
) -> Callable[[Period, int | None], QuerySet[Model]]:
    """The records a queryset flow counts whose event falls in the period (``in_period``
    of its source, event time and unit)."""
    if flow.source is None:
        raise ValueError("a list of records reads a queryset flow")
    return in_period(flow.source, flow.when, flow.unit, related)


def records(
    area: str,
    title: Promise,
    model: type[Model],
    fields: str,
    *,
    when: str = "",
    rows: Callable[[Period, int | None], QuerySet[Any]] | None = None,
    **headers: Promise | str,
) -> Records:
    """The list of ``model``'s records of ``area``, a column per field of ``fields``
    (``headers`` for those not headed by the field's label). Its rows are ``rows``, or else
    the records whose ``when`` (by default the first of ``fields``) falls in the period, in
    that order (``in_period``)."""
    if rows is None:
        rows = in_period(model._default_manager.all, when or fields.split()[0])
    return Records(area, title, rows, columns(model, fields, **headers))


def custom_records(name: str, period: Period, unit_id: int | None) -> QuerysetRecords:
    """The records a count no metric has counts (a ``C`` name), from the same queryset
    as its count; KeyError for a name the report does not count."""
    return report_registry.counts_for(name).records(name, period, unit_id)


def _custom(names: set[str], period: Period, unit_id: int | None) -> Counted:
    """The counts no metric has that ``names`` need: one read per app's counts."""
    out = Counted({})
    for counts in report_registry.counts:
        if any(counts.answers(name) for name in names):
            counted = counts.count(period, unit_id)
            out.amounts.update(counted.amounts)
            out.roads.extend(counted.roads)
    return out


# --- the report's numbers -------------------------------------------------------------------


@dataclass
class Numbers:
    """The amounts every figure reads, and the details the text needs (the roads)."""

    amounts: dict[Ref, Decimal]
    roads: list[str]
    flows_used: bool = False

    def get(self, ref: Ref) -> Decimal:
        return self.amounts.get(ref, ZERO)


def compute(
    period: Period,
    unit_id: int | None,
    figures: list[Figure] | None = None,
    *,
    use_flows: bool = True,
) -> Numbers:
    """Every amount the figures read, for the period and the brigade (``unit_id`` None) or
    one unit. ``use_flows=False`` counts everything from the records (tests, benchmark)."""
    figures = FIGURES if figures is None else figures
    refs = {ref for f in figures for ref in (f.numerator, f.denominator) if ref is not None}
    needs = _needs(refs)
    grid, dirty = None, frozenset[dt.date]()
    if use_flows and needs:
        grid = _grid()
        if grid is not None:
            marks = KpiDirty.objects.order_by().filter(week__lte=period.last)
            if unit_id is not None:
                marks = marks.filter(unit_id=unit_id)
            dirty = frozenset(marks.values_list("week", flat=True).distinct())
    plans = [
        _plan(need, period, grid, dirty) for need in {n.name: n for n in needs.values()}.values()
    ]
    weekly = _flows(plans, unit_id) if grid is not None else {}
    counted = _records(plans, period, unit_id)

    amounts: dict[Ref, Decimal] = {}
    for ref, need in needs.items():
        key = (need.metric.key, need.side, need.part(ref.key))
        amounts[ref] = weekly.get(key, ZERO) + counted.get(key, ZERO)
    custom = _custom({ref.name for ref in refs if isinstance(ref, C)}, period, unit_id)
    for custom_ref in refs:
        if isinstance(custom_ref, C):
            amounts[custom_ref] = custom.amounts.get(custom_ref.name, ZERO)
    return Numbers(amounts=amounts, roads=custom.roads, flows_used=bool(weekly))
