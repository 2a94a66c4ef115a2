"""The list of the records behind one figure, for the records API and page alike.

``?metric=KEY&side=n|d`` and either ``week=2022-W10`` (the week's figure, by the metric's
window) or ``from=DATE&to=DATE`` (a period's, as the period report counts it), and
``unit=ID`` (a unit in the reader's scope; default the brigade for brigade-wide readers,
else their own unit: the dashboard's rules). Its ``count`` is the figure of a count, its
``total`` the figure of a sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from brigade.core import dates
from brigade.core.kpi.read import FigureScope, number
from brigade.core.kpi.records import Records, Row, Span, own_list, resolve
from brigade.core.kpi.registry import registry
from brigade.core.kpi.scopes import resolve_scope, visible_units
from brigade.core.kpi.weeks import (
    WeekOutOfRange,
    current_week,
    parse_week,
    week_key,
    week_start,
)
from brigade.core.report.api import scope_unit_field
from brigade.core.report.compute import custom_records
from brigade.core.report.figures import C, by_key
from brigade.core.report.period import Period, period_errors

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class WeekKeyField(serializers.CharField):
    """An ISO week key (``2022-W24``) in, its Monday out."""

    default_error_messages = {
        "week": _("Enter an ISO week like 2022-W24."),
        "range": _("Enter a week from %(first)s to this week."),
    }

    def _out_of_range(self, first: dt.date) -> serializers.ValidationError:
        # a %-formatted message (fail() would format it with str.format, leaving %(first)s)
        message = self.error_messages["range"] % {"first": week_key(first)}
        return serializers.ValidationError(message, code="range")

    def to_internal_value(self, data: Any) -> dt.date:  # type: ignore[override]
        text = super().to_internal_value(data)
        # nothing is recorded before the brigade's start (the date window), nor after this week
        first = week_start(dates.epoch())
        try:
            monday = parse_week(text)
        except WeekOutOfRange as exc:  # a real week, out of the window (9999-W52)
            raise self._out_of_range(first) from exc
        except ValueError:
            self.fail("week")
            raise  # unreachable: fail() raises
        if not first <= monday <= current_week():
            raise self._out_of_range(first)
        return monday


class RecordsQuerySerializer(serializers.Serializer):
    """Which figure's records: ``from`` is a keyword, added in ``get_fields``."""

    metric = serializers.CharField(
        required=False, help_text="A metric key, e.g. petitions.closure_rate (or `figure`)."
    )
    figure = serializers.CharField(
        required=False,
        help_text="A figure of the period report, e.g. training.drill (with `from` and `to`).",
    )
    list = serializers.CharField(
        required=False,
        help_text="A figure of an app's own weekly page, e.g. petitions.weekly.overdue (with "
        "`week`).",
    )
    part = serializers.RegexField(
        r"^[0-9]{1,10}$",
        required=False,
        help_text="With `list`: the part of the figure (a ticket category's id).",
    )
    side = serializers.ChoiceField(
        choices=[("n", "numerator"), ("d", "denominator")],
        required=False,
        default="n",
        help_text="n: the records the figure (a rate's numerator) counts; d: a rate's denominator.",
    )
    week = WeekKeyField(
        required=False, help_text="ISO week, e.g. 2022-W24 (default: this week, unless a period)."
    )
    to = serializers.DateField(required=False, help_text="A period's last day (with `from`).")
    unit = scope_unit_field()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        start = serializers.DateField(
            required=False, help_text="A period's first day (local date, with `to`)."
        )
        return {**fields, "from": start}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("from"), attrs.get("to")
        if (first is None) != (last is None):
            missing = "to" if last is None else "from"
            raise serializers.ValidationError({missing: [_("A period needs both from and to.")]})
        if first is not None and last is not None:
            if attrs.get("week") is not None:
                raise serializers.ValidationError(
                    {"week": [_("Ask for a week or a period, not both.")]}
                )
            errors = period_errors(first, last)
            if errors:
                raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        metric, figure, own = attrs.get("metric"), attrs.get("figure"), attrs.get("list")
        if [metric, figure, own].count(None) != 2:
            raise serializers.ValidationError(
                {"metric": [_("Name one metric, figure of the report or list.")]}
            )
        if attrs.get("part") and own is None:
            raise serializers.ValidationError({"part": [_("Only a list has parts.")]})
        if own is not None:
            try:
                own_list(own)
            except KeyError:
                raise serializers.ValidationError({"list": [_("Unknown list.")]}) from None
            if first is not None:
                raise serializers.ValidationError({"from": [_("A list is of a week.")]})
            if attrs["side"] == "d":
                raise serializers.ValidationError({"side": [_("A count has no denominator.")]})
            return attrs
        if figure is not None:
            known = by_key().get(figure)
            if known is None:
                raise serializers.ValidationError({"figure": [_("Unknown figure.")]})
            if first is None:
                raise serializers.ValidationError(
                    {"from": [_("A figure of the report has a period.")]}
                )
            if attrs["side"] == "d" and not known.is_rate:
                raise serializers.ValidationError({"side": [_("A count has no denominator.")]})
            return attrs
        assert metric is not None
        try:
            resolve(metric, attrs["side"])
        except KeyError:
            field = "metric" if metric not in registry.labels() else "side"
            message = _("Unknown metric.") if field == "metric" else _("A sum has no denominator.")
            raise serializers.ValidationError({field: [message]}) from None
        return attrs

    def span(self) -> Span:
        data = self.validated_data
        if data.get("from") is not None:
            return Span(first=data["from"], last=data["to"])
        return Span(week=data.get("week") or current_week())


class InvalidPage(Exception):
    pass


@dataclass
class Listing:
    """One page of a figure's records, with the figure's count and total."""

    key: str
    side: str
    label: str
    span: Span
    scope: FigureScope
    is_sum: bool
    is_rate: bool
    unit_label: str
    count: int
    total: Decimal
    rows: list[Row]
    units: dict[int, str]
    page: int
    page_size: int
    first: dt.date | None = None
    last: dt.date | None = None
    kind: str = "metric"  # what ``key`` names: a metric, a figure of the report, a list

    @classmethod
    def read(cls, records: Any, page: int, page_size: int, **about: Any) -> Listing:
        """Page ``page`` of ``records`` (InvalidPage past the last), with their count, total
        and first and last dates; ``about`` says what they are."""
        count, total = records.totals()
        found = cls(
            **about,
            is_sum=records.is_sum,
            count=count,
            total=total,
            rows=[],
            page=page,
            page_size=page_size,
        )
        if page > found.pages:
            raise InvalidPage
        if count:
            found.rows = records.page((page - 1) * page_size, page_size)
        found.first, found.last = records.bounds()
        return found

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    def as_json(self) -> dict[str, Any]:
        return {
            self.kind: self.key,
            "side": self.side,
            "label": self.label,
            **(
                {"week": week_key(self.span.week)}
                if self.span.week
                else {"from": self.span.first, "to": self.span.last}
            ),
            "scope": self.scope.as_json(),
            "is_sum": self.is_sum,
            "count": self.count,
            "total": number(self.total),
            "results": [row_json(row, self.units) for row in self.rows],
        }


def row_json(row: Row, units: dict[int, str]) -> dict[str, Any]:
    when = row.when.isoformat() if row.when is not None else None
    return {
        "id": row.pk,
        "label": row.label,
        "when": when,
        "unit": row.unit_id,
        "unit_name": units.get(row.unit_id) if row.unit_id is not None else None,
        "amount": number(row.amount),
        "url": row.page,
        "api_url": row.api,
    }


def _source(
    user: Any, data: dict[str, Any], span: Span, unit_id: int | None
) -> tuple[Any, dict[str, Any]]:
    """The records of the figure named (a metric's, a report figure's, an app's own list)
    and what to say of it: its label, what it counts, whether it is a rate."""
    if data.get("list") is not None:
        own = own_list(data["list"])
        assert span.week is not None
        listed = own.build(user, span.week, unit_id, data.get("part") or "")
        return listed, {"label": str(own.label), "is_rate": False, "unit_label": ""}
    if data.get("figure") is not None:
        figure = by_key()[data["figure"]]
        ref = figure.numerator if data["side"] == "n" else figure.denominator
        assert ref is not None and span.first is not None and span.last is not None
        about = {
            "label": str(figure.label),
            "is_rate": figure.is_rate,
            "unit_label": str(figure.unit_label),
        }
        if isinstance(ref, C):
            return custom_records(ref.name, Period(span.first, span.last), unit_id), about
        return Records(ref.key, ref.side, span, unit_id), about
    records = Records(data["metric"], data["side"], span, unit_id)
    metric = records.metric
    about = {
        "label": str(registry.labels()[data["metric"]]),
        "is_rate": metric.is_rate,
        "unit_label": str(metric.unit_label),
    }
    return records, about


def listing(user: Any, query: RecordsQuerySerializer, page: int, page_size: int) -> Listing:
    """The page of records the validated ``query`` names, for ``user`` (404 outside their
    scope). A fixed number of queries: the units, the count and total, the page."""
    data = query.validated_data
    units = visible_units(user)
    scope = resolve_scope(user, data.get("unit"), units)
    span = query.span()
    records, about = _source(user, data, span, scope.unit_id)
    return Listing.read(
        records,
        page,
        page_size,
        key=data.get("figure") or data.get("list") or data["metric"],
        side=data["side"],
        span=span,
        scope=scope,
        units=units,
        kind="figure" if data.get("figure") else "list" if data.get("list") else "metric",
        **about,
    )


def period_span(period: Period) -> Span:
    return Span(first=period.first, last=period.last)
