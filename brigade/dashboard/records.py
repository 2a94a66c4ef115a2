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

from brigade.dashboard.scopes import resolve_scope, visible_units
from brigade.kpi.read import Scope, number
from brigade.kpi.records import Records, Row, Span, resolve
from brigade.kpi.registry import registry
from brigade.kpi.weeks import current_week, parse_week, week_key
from brigade.report.period import Period, period_errors

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class WeekKeyField(serializers.CharField):
    """An ISO week key (``2022-W24``) in, its Monday out."""

    default_error_messages = {"week": _("Enter an ISO week like 2022-W24.")}

    def to_internal_value(self, data: Any) -> dt.date:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            return parse_week(text)
        except ValueError:
            self.fail("week")
            raise  # unreachable: fail() raises


class RecordsQuerySerializer(serializers.Serializer):
    """Which figure's records: ``from`` is a keyword, added in ``get_fields``."""

    metric = serializers.CharField(help_text="A metric key, e.g. petitions.closure_rate.")
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
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A unit in your scope; default the brigade (brigade-wide users) or your unit.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        start = serializers.DateField(
            required=False, help_text="A period's first day (local date, with `to`)."
        )
        return {**fields, "from": start}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            resolve(attrs["metric"], attrs["side"])
        except KeyError:
            field = "metric" if attrs["metric"] not in registry.labels() else "side"
            message = _("Unknown metric.") if field == "metric" else _("A sum has no denominator.")
            raise serializers.ValidationError({field: [message]}) from None
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
        return attrs

    def span(self) -> Span:
        data = self.validated_data
        if data.get("from") is not None:
            return Span(first=data["from"], last=data["to"])
        return Span(week=data.get("week") or current_week())


@dataclass
class Listing:
    """One page of a figure's records, with the figure's count and total."""

    key: str
    side: str
    label: str
    span: Span
    scope: Scope
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

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.key,
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


class InvalidPage(Exception):
    pass


def listing(user: Any, query: RecordsQuerySerializer, page: int, page_size: int) -> Listing:
    """The page of records the validated ``query`` names, for ``user`` (404 outside their
    scope). A fixed number of queries: the units, the count and total, the page."""
    data = query.validated_data
    units = visible_units(user)
    scope = resolve_scope(user, data.get("unit"), units)
    span = query.span()
    records = Records(data["metric"], data["side"], span, scope.unit_id)
    count, total = records.totals()
    pages = max(1, -(-count // page_size))
    if page > pages:
        raise InvalidPage
    rows = records.page((page - 1) * page_size, page_size) if count else []
    metric = records.metric
    return Listing(
        key=data["metric"],
        side=data["side"],
        label=str(registry.labels()[data["metric"]]),
        span=span,
        scope=scope,
        is_sum=records.is_sum,
        is_rate=metric.is_rate,
        unit_label=str(metric.unit_label),
        count=count,
        total=total,
        rows=rows,
        units=units,
        page=page,
        page_size=page_size,
        first=records.bounds()[0],
        last=records.bounds()[1],
    )


def period_span(period: Period) -> Span:
    return Span(first=period.first, last=period.last)
